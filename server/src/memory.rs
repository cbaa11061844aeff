//! Settings of the process's memory allocator.

/// glibc's default threshold above which a block gets its own mapping (returned to the system
/// when freed).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Pins glibc's mmap threshold. Left dynamic, glibc raises it to the largest block freed so far,
/// so after the first argon2 hash (19 MiB) every later one is carved from the malloc arenas,
/// which keep what is freed: measured, 80 hashes left the server at 520 MB resident instead of
/// about 30 MB (tests/process.rs; README, Soak).
pub fn pin_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter and may be called at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
