/* Subcommands implemented outside alphagrad.c; each takes argv from its own name on. */
#ifndef AG_CLI_COMMANDS_H
#define AG_CLI_COMMANDS_H
int ag_cmd_search(int argc, char **argv);
int ag_cmd_orders(int argc, char **argv);
int ag_cmd_train(int argc, char **argv);
int ag_cmd_calibrate(int argc, char **argv);
/* graph, cost and search of a tensor graph file (cmd_tensor.c); argv[0] is the command */
int ag_cmd_tensor(int argc, char **argv);
/* 1 if an argument after argv[0] names a tensor graph file (tensor/tensor_read.h) */
int ag_cli_is_tensor_source(int argc, char **argv);
#endif
