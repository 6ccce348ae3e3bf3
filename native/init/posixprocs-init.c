/*
 * posixprocs-init: a minimal init for containers (what tini does), in C so that PID 1
 * costs a few hundred KiB and starts the program within a fork + exec.
 *
 *   posixprocs-init [-s] [-g] [-p SIGNAL] [-t GRACE_MS] [-v] [--] PROGRAM [ARGS...]
 *
 * It starts PROGRAM in its own process group, forwards the signals a container receives
 * (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, ...) to it
 * (-g: to its whole process group), reaps every zombie that is re-parented to it (orphans
 * it never started included), and exits with PROGRAM's exit code, or 128 + the signal that
 * killed it.
 *   -s         become a child subreaper (Linux) when not PID 1, so orphans come here.
 *   -g         forward signals to PROGRAM's process group, not only to PROGRAM.
 *   -p SIGNAL  ask the kernel for SIGNAL when our parent dies (Linux PR_SET_PDEATHSIG);
 *              it is then forwarded like any other.
 *   -t MS      when PROGRAM has exited, send SIGTERM to what is left of its process group,
 *              wait up to MS milliseconds (reaping), then SIGKILL the rest. Without -t, what
 *              is left is left alone (in a PID namespace the kernel kills it when init exits).
 *   -v         say what happens on standard error.
 * Exit codes of its own: 2 bad usage, 126 PROGRAM not executable, 127 PROGRAM not found,
 * 125 another failure before PROGRAM ran.
 *
 * Design (the same as tini's, written anew): every signal but the synchronous ones is
 * blocked in init and taken with sigtimedwait, so no handler runs and no system call is
 * interrupted; after every wake-up all zombies are reaped with waitpid(-1, WNOHANG). The
 * child restores the signal mask and default dispositions before exec, so PROGRAM starts as
 * if no init were there. An exec failure travels to init through a close-on-exec pipe, read
 * once the program has been reaped.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

static int verbose = 0;

static void say(const char* format, ...)
{
    if (!verbose)
        return;
    va_list args;
    va_start(args, format);
    fputs("posixprocs-init: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

static void fail(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("posixprocs-init: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

static void usage(void)
{
    fputs("usage: posixprocs-init [-s] [-g] [-p SIGNAL] [-t GRACE_MS] [-v] [--] PROGRAM [ARGS...]\n"
          "  -s  become a child subreaper when not PID 1 (Linux)\n"
          "  -g  forward signals to the program's whole process group\n"
          "  -p  signal to receive (and forward) when our parent dies (Linux)\n"
          "  -t  after the program exits: SIGTERM what is left of its group, SIGKILL after MS\n"
          "  -v  verbose\n",
          stderr);
}

/* Signals that report a fault of the thread that caused them: never blocked, never forwarded. */
static int is_synchronous(int sig)
{
    return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT ||
           sig == SIGTRAP || sig == SIGSYS;
}

static const struct
{
    const char* name;
    int number;
} signal_names[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"KILL", SIGKILL},   {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"TERM", SIGTERM},   {"CONT", SIGCONT}, {"STOP", SIGSTOP},   {"TSTP", SIGTSTP},
    {"WINCH", SIGWINCH}, {"ALRM", SIGALRM}, {"PIPE", SIGPIPE}, {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
};

/* "TERM", "SIGTERM" or a number; -1 if unknown. */
static int parse_signal(const char* text)
{
    if (strncmp(text, "SIG", 3) == 0)
        text += 3;
    for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
        if (strcmp(text, signal_names[i].name) == 0)
            return signal_names[i].number;
    char* end = NULL;
    long number = strtol(text, &end, 10);
    return (end != text && *end == '\0' && number > 0 && number < NSIG) ? (int)number : -1;
}

static long parse_milliseconds(const char* text)
{
    char* end = NULL;
    long value = strtol(text, &end, 10);
    return (end != text && *end == '\0' && value >= 0) ? value : -1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, before exec: PROGRAM must start as if no init were there. */
static void reset_signals(const sigset_t* original_mask)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL); /* fails harmlessly for numbers that are no signal */
    sigprocmask(SIG_SETMASK, original_mask, NULL);
}

static void write_all(int fd, const void* data, size_t length)
{
    const char* p = data;
    while (length > 0)
    {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        length -= (size_t)n;
    }
}

/* Starts PROGRAM; returns its pid and, in *report, the read end of the pipe on which the
 * child writes its errno if exec fails (read_exec_report); -1 with *exec_errno set when it
 * could not even fork. */
static pid_t start_program(char* const* argv, const sigset_t* original_mask, int* report_fd, int* exec_errno)
{
    int report[2];
    if (pipe(report) < 0)
    {
        *exec_errno = errno;
        return -1;
    }
    fcntl(report[0], F_SETFD, FD_CLOEXEC);
    fcntl(report[1], F_SETFD, FD_CLOEXEC);

    pid_t pid = fork();
    if (pid < 0)
    {
        *exec_errno = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0)
    {
        close(report[0]);
        /* Its own process group, so -g and the grace period reach what it starts; and the
         * terminal's foreground, when there is one, so it can read from it. */
        setpgid(0, 0);
        if (isatty(STDIN_FILENO))
        {
            signal(SIGTTOU, SIG_IGN); /* tcsetpgrp from a background group would stop us */
            tcsetpgrp(STDIN_FILENO, getpgrp());
        }
        reset_signals(original_mask);
        execvp(argv[0], argv);
        int error = errno;
        write_all(report[1], &error, sizeof(error));
        _exit(127);
    }

    /* Not read now: waiting here for the exec would cost init one more sleep and wake-up per
     * start, a scheduling delay each on a busy machine (it made the start 1.7x tini's). The
     * report is read once the program has been reaped, when nobody holds the write end. */
    close(report[1]);
    *report_fd = report[0];
    return pid;
}

/* After the program was reaped: its exec errno, or 0 if the exec succeeded (the close-on-exec
 * write end then closed without a word). Never blocks: no process holds the write end any more. */
static int read_exec_report(int report_fd)
{
    int error = 0;
    ssize_t n;
    while ((n = read(report_fd, &error, sizeof(error))) < 0 && errno == EINTR)
        ;
    close(report_fd);
    return n == (ssize_t)sizeof(error) ? error : 0;
}

static int exit_code_for_exec_errno(int error)
{
    return error == ENOENT ? 127 : error == EACCES || error == ENOEXEC ? 126 : 125;
}

static int exit_code_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 125;
}

/* Reaps every zombie; records the program's status when it is among them. Returns how many. */
static int reap_all(pid_t program, int* program_status, int* program_done)
{
    int reaped = 0;
    for (;;)
    {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return reaped; /* 0: children left, none ended; -1/ECHILD: no children at all */
        reaped++;
        if (pid == program)
        {
            *program_status = status;
            *program_done = 1;
            say("program %d ended (exit code %d)", (int)pid, exit_code_of(status));
        }
        else
        {
            say("reaped orphan %d", (int)pid);
        }
    }
}

/* Sleeps up to ms milliseconds, waking early for any signal (SIGCHLD included). */
static void nap(long ms, const sigset_t* blocked)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    siginfo_t info;
    sigtimedwait(blocked, &info, &pause);
}

/* SIGTERM to what is left of the program's group, grace_ms to go, then SIGKILL; reaps meanwhile. */
static void end_what_is_left(pid_t program, long grace_ms, const sigset_t* blocked)
{
    int status = 0, done = 1;
    if (kill(-program, SIGTERM) < 0)
        return; /* ESRCH: nothing is left */
    say("SIGTERM to what is left of group %d", (int)program);
    long long deadline = now_ms() + grace_ms;
    while (now_ms() < deadline && kill(-program, 0) == 0)
    {
        nap(10, blocked);
        reap_all(program, &status, &done);
    }
    if (kill(-program, SIGKILL) == 0)
    {
        say("SIGKILL to what is left of group %d", (int)program);
        /* SIGKILL cannot be ignored, but dying takes the kernel a moment: wait for the group
         * to be gone (bounded), so that init leaves no zombie behind. */
        long long gone_by = now_ms() + 1000;
        while (now_ms() < gone_by && kill(-program, 0) == 0)
        {
            nap(10, blocked);
            reap_all(program, &status, &done);
        }
    }
    reap_all(program, &status, &done);
}

int main(int argc, char** argv)
{
    int subreaper = 0, group = 0, parent_death = 0;
    long grace_ms = -1;
    int opt;
    while ((opt = getopt(argc, argv, "+sgp:t:vh")) != -1)
    {
        switch (opt)
        {
            case 's': subreaper = 1; break;
            case 'g': group = 1; break;
            case 'p':
                parent_death = parse_signal(optarg);
                if (parent_death < 0)
                {
                    fail("unknown signal: %s", optarg);
                    return 2;
                }
                break;
            case 't':
                grace_ms = parse_milliseconds(optarg);
                if (grace_ms < 0)
                {
                    fail("-t takes milliseconds (a whole number >= 0): %s", optarg);
                    return 2;
                }
                break;
            case 'v': verbose = 1; break;
            case 'h': usage(); return 0;
            default: usage(); return 2;
        }
    }
    if (optind >= argc)
    {
        usage();
        return 2;
    }

#if defined(__linux__)
    if (subreaper && getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) < 0)
    {
        fail("prctl PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
        return 125;
    }
    if (parent_death > 0 && prctl(PR_SET_PDEATHSIG, (unsigned long)parent_death, 0UL, 0UL, 0UL) < 0)
    {
        fail("prctl PR_SET_PDEATHSIG: %s", strerror(errno));
        return 125;
    }
#else
    if (subreaper || parent_death > 0)
    {
        fail("-s and -p need Linux");
        return 2;
    }
#endif
    if (getpid() != 1 && !subreaper)
        say("not PID 1 and not a subreaper (-s): orphans of the program will not come here");

    /* Block everything but the synchronous signals: they are taken with sigtimedwait. */
    sigset_t blocked, original_mask;
    sigfillset(&blocked);
    for (int sig = 1; sig < NSIG; sig++)
        if (is_synchronous(sig))
            sigdelset(&blocked, sig);
    sigprocmask(SIG_SETMASK, &blocked, &original_mask);
    /* Job-control signals from a terminal must not stop init itself. */
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);

    int exec_errno = 0, report_fd = -1;
    pid_t program = start_program(argv + optind, &original_mask, &report_fd, &exec_errno);
    if (program < 0)
    {
        fail("cannot run %s: %s", argv[optind], strerror(exec_errno));
        return exit_code_for_exec_errno(exec_errno);
    }
    say("started %s as %d", argv[optind], (int)program);

    int program_status = 0, program_done = 0;
    struct timespec tick = {1, 0};
    while (!program_done)
    {
        siginfo_t info;
        int sig = sigtimedwait(&blocked, &info, &tick);
        if (sig < 0 && errno != EAGAIN && errno != EINTR)
        {
            fail("sigtimedwait: %s", strerror(errno));
            return 125;
        }
        if (sig > 0 && sig != SIGCHLD && sig != SIGTTIN && sig != SIGTTOU)
        {
            pid_t target = group ? -program : program;
            say("forwarding signal %d to %d", sig, (int)target);
            if (kill(target, sig) < 0 && errno != ESRCH)
                fail("kill %d: %s", (int)target, strerror(errno));
        }
        reap_all(program, &program_status, &program_done);
    }

    exec_errno = read_exec_report(report_fd);
    if (exec_errno != 0)
    {
        fail("cannot run %s: %s", argv[optind], strerror(exec_errno));
        return exit_code_for_exec_errno(exec_errno);
    }

    if (grace_ms >= 0)
        end_what_is_left(program, grace_ms, &blocked);
    reap_all(program, &program_status, &program_done);
    return exit_code_of(program_status);
}
