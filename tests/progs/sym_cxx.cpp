// sym_cxx.cpp -- C++ names for the symbolizer's tests: a member function
// in a namespace, a constructor, a template; new[] of 41 bytes in the
// constructor, 48 (6 longs) and 43 in two instances of the template.
#include <cstdio>
#include <new>

namespace geo {
struct Shape {
    char *buf;
    explicit Shape(int n) : buf(new char[n]) {} // @ctor_new
    ~Shape() { delete[] buf; }
    static Shape *make(int n);
};

__attribute__((noinline)) Shape *Shape::make(int n)
{
    return new Shape(n); // @make_new
}

template <typename T> __attribute__((noinline)) T *fresh(int n)
{
    return new T[n]; // @fresh_new
}
} // namespace geo

int main()
{
    geo::Shape *s = geo::Shape::make(41);
    long *l = geo::fresh<long>(6);
    char *c = geo::fresh<char>(43);
    std::printf("sym_cxx %d\n", s && l && c);
    delete s;
    delete[] l;
    delete[] c;
    return 0;
}
