// plain.cpp - e2e fixture: C++ without CUDA; HIP Porter leaves it alone.
int add(int a, int b) { return a + b; }
