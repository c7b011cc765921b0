/* clib is a C shared library (gcc -shared -fPIC): an ELF shared object
 * that dlopen accepts, but that is not a Go plugin. */
int clib_answer(void) { return 42; }
