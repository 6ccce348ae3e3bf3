using System.Runtime.CompilerServices;
using Tmds.Linux;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>
    /// The Linux calls that Tmds.LibC declares (named as in C, checked against glibc's headers by
    /// that project). Tmds.LibC ships its implementation for linux-x64, linux-arm and linux-arm64
    /// only, so these methods are reached only when <see cref="OperatingSystem.IsLinux"/> is true
    /// and are never inlined: the JIT loads Tmds.LibC only when it compiles one of them, so macOS
    /// never needs it. Elsewhere the same calls are this project's own LibraryImports.
    /// </summary>
    internal static class LinuxLibC
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int dup2(int oldfd, int newfd) => LibC.dup2(oldfd, newfd);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int killpg(int pgrp, int sig) => LibC.killpg(pgrp, sig);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int setpgid(int pid, int pgid) => LibC.setpgid(pid, pgid);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int getpgid(int pid) => LibC.getpgid(pid);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int setsid() => LibC.setsid();

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int getpid() => LibC.getpid();

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int getppid() => LibC.getppid();

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static unsafe int munmap(void* address, nuint length) => LibC.munmap(address, (size_t)(ulong)length);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static unsafe int msync(void* address, nuint length, int flags) => LibC.msync(address, (size_t)(ulong)length, flags);

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static uint geteuid() => LibC.geteuid();

        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int ftruncate(int fd, long length) => LibC.ftruncate(fd, length);

        /// <summary>pipe2 with the portable PP_FD_* flags turned into Linux's O_* flags.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static unsafe int pipe2(int* fds, int portableFlags) =>
            LibC.pipe2(fds, ((portableFlags & PP_FD_CLOEXEC) != 0 ? LibC.O_CLOEXEC : 0) | ((portableFlags & PP_FD_NONBLOCK) != 0 ? LibC.O_NONBLOCK : 0));

        /// <summary>socketpair(AF_UNIX, SOCK_STREAM) with the portable PP_FD_* flags turned into SOCK_* type flags.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static unsafe int socketpair(int* fds, int portableFlags) =>
            LibC.socketpair(
                LibC.AF_UNIX,
                LibC.SOCK_STREAM | ((portableFlags & PP_FD_CLOEXEC) != 0 ? LibC.SOCK_CLOEXEC : 0) | ((portableFlags & PP_FD_NONBLOCK) != 0 ? LibC.SOCK_NONBLOCK : 0),
                0,
                fds);
    }
}
