/*
 * Pipelines (`a | b | c`) started in C: the pipes between the stages are created, handed to
 * the stages and closed here, so the caller never holds an inner pipe end and no byte of
 * the stream passes through managed code. Each stage goes through the spawn path of
 * pp_spawn.c; see posixprocs.h for the contract.
 */
#include "pp_internal.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* Room for the two pipe ends a stage gets on top of the caller's mappings. */
#define PP_PIPELINE_MAX_STAGE_FDS (PP_SPAWN_MAX_FDS - 2)

static int maps_child_fd(const PosixProcsSpawnRequest* stage, int32_t childFd)
{
    for (int32_t i = 0; i < stage->fdMapCount; i++)
    {
        if (stage->fdMap[i].childFd == childFd)
            return 1;
    }
    return 0;
}

/* Checks every stage before the first is started, so that a refused argument never leaves
 * a half-started pipeline to undo. */
static int stages_are_valid(const PosixProcsSpawnRequest* stages, int32_t count)
{
    for (int32_t k = 0; k < count; k++)
    {
        const PosixProcsSpawnRequest* stage = &stages[k];
        if (!pp_spawn_request_is_valid(stage) || stage->flags != 0 || stage->fdMapCount > PP_PIPELINE_MAX_STAGE_FDS)
            return 0;
        if (k > 0 && maps_child_fd(stage, 0))
            return 0;
        if (k < count - 1 && maps_child_fd(stage, 1))
            return 0;
    }
    return 1;
}

static void close_if_open(int32_t* fd)
{
    if (*fd >= 0)
    {
        /* Not retried on EINTR: on Linux the descriptor is gone whatever close returns. */
        close(*fd);
        *fd = -1;
    }
}

/* Ends the stages already started: SIGKILL and a wait, by pid, for each. */
static void kill_and_reap(const int32_t* pids, int32_t started)
{
    for (int32_t k = 0; k < started; k++)
        kill(pids[k], SIGKILL);
    for (int32_t k = 0; k < started; k++)
    {
        int status;
        while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
            ;
    }
}

int32_t PosixProcsNative_SpawnPipeline(const PosixProcsSpawnRequest* stages, int32_t count, int32_t* pids, int32_t* failedStage, int32_t* failedStep)
{
    if (failedStage != NULL)
        *failedStage = -1;
    if (failedStep != NULL)
        *failedStep = PP_SPAWN_STEP_NONE;
    if (stages == NULL || count < 1 || pids == NULL || failedStage == NULL || failedStep == NULL || !stages_are_valid(stages, count))
    {
        errno = EINVAL;
        return -1;
    }

    /* Only the read end of the previous stage's output pipe and the current stage's output
     * pipe are ever open here: the parent's share of a long pipeline stays at three descriptors. */
    int32_t previousRead = -1;
    PosixProcsFdMapping map[PP_SPAWN_MAX_FDS];
    for (int32_t k = 0; k < count; k++)
    {
        const PosixProcsSpawnRequest* stage = &stages[k];
        int32_t output[2] = { -1, -1 };
        if (k < count - 1 && PosixProcsNative_Pipe(output, PP_FD_CLOEXEC) < 0)
        {
            int error = errno;
            close_if_open(&previousRead);
            kill_and_reap(pids, k);
            *failedStage = k;
            *failedStep = PP_SPAWN_STEP_PIPE;
            errno = error;
            return -1;
        }

        int32_t mapped = 0;
        for (int32_t i = 0; i < stage->fdMapCount; i++)
            map[mapped++] = stage->fdMap[i];
        if (k > 0)
            map[mapped++] = (PosixProcsFdMapping){ .childFd = 0, .parentFd = previousRead };
        if (k < count - 1)
            map[mapped++] = (PosixProcsFdMapping){ .childFd = 1, .parentFd = output[1] };

        PosixProcsSpawnRequest wired = *stage;
        wired.fdMap = map;
        wired.fdMapCount = mapped;

        /* Stage 0 leads a new group; the others join it. The group outlives an early stage
         * that has already exited: it stays a zombie, unreaped, until the caller waits. */
        int32_t step = PP_SPAWN_STEP_NONE;
        int32_t rc = pp_spawn_in_group(&wired, k == 0 ? 0 : (pid_t)pids[0], &pids[k], &step);
        int error = errno;

        /* The stages that use them have them now (or failed): the parent keeps only the read
         * end the next stage will get. */
        close_if_open(&previousRead);
        close_if_open(&output[1]);
        previousRead = output[0];

        if (rc < 0)
        {
            close_if_open(&previousRead);
            kill_and_reap(pids, k);
            *failedStage = k;
            *failedStep = step;
            errno = error;
            return -1;
        }
    }

    return 0;
}
