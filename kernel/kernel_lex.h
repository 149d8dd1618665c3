/* Tokens and the small preprocessor of the C kernel front end.

   The preprocessor handles what residual kernels use: `#include "local.h"` (read, relative
   to the including file), `#include <system.h>` (not read: the front end knows math.h and
   the PETSc names a kernel needs, see kernel_prelude in kernel_lex.c), object- and
   function-like `#define`, `#undef`, `#if/#ifdef/#ifndef/#elif/#else/#endif` with integer
   expressions and `defined`, `#pragma` (ignored) and `#error`. Tokens from a macro expansion
   carry the location of the macro's use. */
#ifndef AG_KERNEL_LEX_H
#define AG_KERNEL_LEX_H

#include <setjmp.h>

#include "base/alloc.h"
#include "base/error.h"

typedef enum { TK_EOF, TK_IDENT, TK_NUM, TK_PUNCT, TK_STR, TK_CHAR } ag_tkind;

typedef struct {
  ag_tkind kind;
  const char *s; /* text (not NUL-terminated) */
  int len;
  int file, line, col; /* file: index into ag_lexer.files */
  int bol;             /* first token on its line (raw tokens only) */
  int is_int;
  double num;
  long ival;
  const char *macro; /* name of the macro this token came from, or NULL */
} ag_token;

typedef struct {
  char **files; /* paths, for messages */
  char **texts; /* file contents, kept alive: tokens point into them */
  int nfiles;
  ag_token *toks; /* preprocessed tokens, terminated by TK_EOF */
  int ntoks, cap;
  void *macros; /* macro table (internal) */
  int nmacros, capmacros;
  ag_error *err;
  jmp_buf *fail;  /* longjmp target on error */
  ag_arena arena; /* owns every allocation above */
} ag_lexer;

/* Preprocesses path into lx->toks; 0 on success, -1 with err set. */
int ag_lex_file(ag_lexer *lx, const char *path, ag_error *err);
void ag_lex_free(ag_lexer *lx);
/* Formats "file:line:col: message" for token t into err and longjmps to lx->fail.
   ag_lex_error reports a malformed kernel (AG_ERR_FORMAT); ag_lex_errorc sets the code given
   (AG_ERR_UNSUPPORTED for a construct outside the subset, AG_ERR_LIMIT for a size limit). */
_Noreturn void ag_lex_error(ag_lexer *lx, const ag_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void ag_lex_errorc(ag_lexer *lx, ag_status code, const ag_token *t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ag_tok_is(const ag_token *t, const char *s);

#endif
