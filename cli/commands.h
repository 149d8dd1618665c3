/* Subcommands implemented outside alphagrad.c; each takes argv from its own name on. */
#ifndef AG_CLI_COMMANDS_H
#define AG_CLI_COMMANDS_H
int ag_cmd_search(int argc, char **argv);
int ag_cmd_orders(int argc, char **argv);
int ag_cmd_train(int argc, char **argv);
int ag_cmd_calibrate(int argc, char **argv);
#endif
