// The benchmark's container payload: exits 0 at once. Linked statically so
// the rootfs needs no libc and exec cost does not depend on the dynamic loader.
int main() { return 0; }
