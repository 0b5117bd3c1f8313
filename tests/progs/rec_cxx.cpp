// rec_cxx.cpp -- every operator new/delete variant once, sizes 11..22, one
// leaked new[] of 23 bytes, and one failing new that throws bad_alloc.
#include <new>
#include <unistd.h>

static void *volatile sink;

int main()
{
    void *p;
    p = ::operator new(11); ::operator delete(p);
    p = ::operator new[](12); ::operator delete[](p);
    p = ::operator new(13, std::nothrow); ::operator delete(p, std::nothrow);
    p = ::operator new[](14, std::nothrow); ::operator delete[](p, std::nothrow);
    p = ::operator new(15, std::align_val_t(64)); ::operator delete(p, std::align_val_t(64));
    p = ::operator new[](16, std::align_val_t(64)); ::operator delete[](p, std::align_val_t(64));
    p = ::operator new(17, std::align_val_t(64), std::nothrow);
    ::operator delete(p, std::align_val_t(64), std::nothrow);
    p = ::operator new[](18, std::align_val_t(64), std::nothrow);
    ::operator delete[](p, std::align_val_t(64), std::nothrow);
    p = ::operator new(19); ::operator delete(p, (size_t)19);
    p = ::operator new[](20); ::operator delete[](p, (size_t)20);
    p = ::operator new(21, std::align_val_t(32)); ::operator delete(p, (size_t)21, std::align_val_t(32));
    p = ::operator new[](22, std::align_val_t(32));
    ::operator delete[](p, (size_t)22, std::align_val_t(32));
    sink = new char[23];
    try {
        sink = ::operator new((size_t)1 << 62);
    } catch (const std::bad_alloc &) {
        return write(1, "cxx done\n", 9) == 9 ? 0 : 1;
    }
    return 2;
}
