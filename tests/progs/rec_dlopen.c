/* rec_dlopen.c -- dlopen libm, call cos through dlsym, dlclose it. */
#include <dlfcn.h>
#include <unistd.h>

int main(void)
{
    void *h = dlopen("libm.so.6", RTLD_NOW);
    if (!h) return 1;
    double (*f)(double) = (double (*)(double))dlsym(h, "cos");
    int ok = f && f(0.0) == 1.0;
    dlclose(h);
    return ok ? 0 : 2;
}
