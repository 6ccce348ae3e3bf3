namespace PosixProcs;

public sealed partial class ChildProcess
{
    /// <summary>How many times <see cref="KillTree"/> reads /proc again for descendants it has not stopped yet.</summary>
    private const int MaxTreeWalks = 64;

    /// <summary>
    /// Sends a signal to the child's whole process group (killpg): the child and everything it
    /// started that stayed in its group. The child must lead a group (<see cref="LeadsProcessGroup"/>).
    /// </summary>
    /// <remarks>
    /// It may be sent after the child itself has been reaped, to what it left behind: a group's
    /// id is not given to another process or group while any member of the group lives (POSIX),
    /// so the signal reaches only that group, or fails with ESRCH once nobody is left in it.
    /// (After that, the id may in principle come back as the group of an unrelated process once
    /// the system's pids have wrapped around: do not keep signalling a group you know is empty.)
    /// </remarks>
    /// <param name="signal">The signal.</param>
    /// <exception cref="InvalidOperationException">The child does not lead a process group (start it with NewProcessGroup or NewSession).</exception>
    /// <exception cref="PosixException">killpg failed: ESRCH when no process of the group is left, EPERM.</exception>
    public void SignalGroup(Signal signal)
    {
        ThrowIfNotGroupLeader();
        lock (_gate)
        {
            Posix.KillProcessGroup(Pid, signal);
        }
    }

    /// <summary>
    /// Sends a signal (default SIGKILL) to the child and all its descendants: its process group
    /// when it leads one, and, on Linux, every descendant found through /proc that left the
    /// group (setsid, setpgid) or, for a child in this process's group, every descendant.
    /// Does not wait; the child is reaped by <see cref="Wait()"/> or <see cref="Dispose"/>, the
    /// descendants by whoever they are re-parented to.
    /// </summary>
    /// <remarks>
    /// <para>
    /// So that nothing forks away while the tree is read, the group (or the child) is stopped
    /// with SIGSTOP first; /proc is then read, each descendant found outside the group is stopped
    /// too, and /proc is read again until a reading finds nobody new (at most 64 readings). Then
    /// the signal goes to the group (or the child) and to each of those descendants, and, unless
    /// it is SIGKILL or SIGSTOP, SIGCONT follows, so that a handler can run. A process of the tree
    /// that was stopped for another reason is continued too.
    /// </para>
    /// <para>
    /// The walk follows parent links, so it sees only descendants whose chain of parents is
    /// unbroken: a descendant whose parent has already ended was re-parented to init (or a
    /// subreaper) and is reached only if it is still in the child's group. Once the child has been
    /// reaped, its pid says nothing about its descendants any more: only its group is signalled.
    /// macOS has no /proc: there the group (or the child) is all that is reached.
    /// </para>
    /// </remarks>
    /// <param name="signal">The signal; <c>null</c> for SIGKILL.</param>
    /// <returns>The descendants outside the child's group that were signalled one by one (empty on macOS).</returns>
    /// <exception cref="InvalidOperationException">The child has been reaped and does not lead a process group: nothing of its tree can be found safely.</exception>
    /// <exception cref="PosixException">kill or killpg failed with something other than ESRCH (EPERM).</exception>
    public IReadOnlyList<Pid> KillTree(Signal? signal = null)
    {
        Signal sent = signal ?? PosixProcs.Signal.SIGKILL;
        lock (_gate)
        {
            bool unreaped = _status is null;
            if (!unreaped && !LeadsProcessGroup)
            {
                throw new InvalidOperationException($"Child {Pid} has already ended ({_status}) and led no process group: its descendants cannot be told apart from other processes now.");
            }

            // Under the lock the child cannot be reaped meanwhile, so its pid stays its own.
            var outside = new Dictionary<int, Pid>();
            bool sentToAll = false;
            SendToGroupOrChild(PosixProcs.Signal.SIGSTOP);
            try
            {
                if (unreaped && OperatingSystem.IsLinux())
                {
                    StopDescendantsOutsideGroup(outside);
                }

                SendToGroupOrChild(sent);
                foreach (Pid pid in outside.Values)
                {
                    SendIfAlive(pid, sent);
                }

                sentToAll = true;
            }
            finally
            {
                // Continued so a handler can run, and never left stopped when something failed.
                if (!sentToAll || (sent != PosixProcs.Signal.SIGKILL && sent != PosixProcs.Signal.SIGSTOP))
                {
                    Continue(outside.Values, failing: !sentToAll);
                }
            }

            return [.. outside.Values];
        }
    }

    /// <summary>
    /// SIGCONT to the group (or the child) and to <paramref name="outside"/>. After a failure
    /// (<paramref name="failing"/>) every one is tried and errors here are dropped, so the first
    /// failure is the one thrown and no process is left stopped for want of trying.
    /// </summary>
    private void Continue(IEnumerable<Pid> outside, bool failing)
    {
        var sends = new List<Action> { () => SendToGroupOrChild(PosixProcs.Signal.SIGCONT) };
        sends.AddRange(outside.Select(pid => (Action)(() => SendIfAlive(pid, PosixProcs.Signal.SIGCONT))));
        foreach (Action send in sends)
        {
            try
            {
                send();
            }
            catch (PosixException) when (failing)
            {
                // The exception already on its way out says what went wrong first.
            }
        }
    }

    /// <summary>Reads /proc until it shows no descendant outside the group that is not stopped yet, adding each to <paramref name="stopped"/>. Under <see cref="_gate"/>.</summary>
    private void StopDescendantsOutsideGroup(Dictionary<int, Pid> stopped)
    {
        for (int walk = 0; walk < MaxTreeWalks; walk++)
        {
            bool foundNew = false;
            foreach (ProcessTree.Entry entry in ProcessTree.Descendants(Pid))
            {
                bool reachedByGroup = LeadsProcessGroup && entry.ProcessGroup == Pid.Value;
                if (reachedByGroup || entry.State == 'Z' || stopped.ContainsKey(entry.Pid))
                {
                    continue;
                }

                var pid = new Pid(entry.Pid);
                stopped[entry.Pid] = pid;
                SendIfAlive(pid, PosixProcs.Signal.SIGSTOP);
                foundNew = true;
            }

            if (!foundNew)
            {
                break;
            }
        }
    }

    /// <summary>killpg for a group leader, kill for the child (only while unreaped). ESRCH: nobody left to reach. Under <see cref="_gate"/>.</summary>
    private void SendToGroupOrChild(Signal signal)
    {
        if (LeadsProcessGroup)
        {
            try
            {
                Posix.KillProcessGroup(Pid, signal);
            }
            catch (PosixException ex) when (ex.Errno == PosixErrno.ESRCH)
            {
                // The group has no member left: it has nothing to receive.
            }
        }
        else if (_status is null)
        {
            Posix.Kill(Pid, signal); // unreaped: the pid is still the child's, zombie or not
        }
    }

    /// <summary>kill, where ESRCH means the process ended between the reading of /proc and now.</summary>
    private static void SendIfAlive(Pid pid, Signal signal)
    {
        try
        {
            Posix.Kill(pid, signal);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ESRCH)
        {
            // It has gone: nothing to stop or signal.
        }
    }

    /// <summary>SIGKILL to the group of a leader this object has not reaped: its id cannot belong to anyone else yet.</summary>
    private void KillGroupWhileUnreaped()
    {
        lock (_gate)
        {
            if (_status is null)
            {
                SendToGroupOrChild(PosixProcs.Signal.SIGKILL);
            }
        }
    }

    private void ThrowIfNotGroupLeader()
    {
        if (!LeadsProcessGroup)
        {
            throw new InvalidOperationException($"Child {Pid} does not lead a process group: start it with NewProcessGroup or NewSession to signal its group.");
        }
    }
}
