package io.softverbs.offheap.engine;

/**
 * A command on a context's control queue (the control QP), run by the engine's control stage. A simple command
 * runs in one step; a long one (memory registration) overrides {@link #step()} and is stepped once per cycle
 * until done (its heavy part runs elsewhere and the step only looks whether it has finished), so the data
 * path never waits for it. The issuing thread waits for {@link #isDone()}; failures are carried back to it.
 */
public class ControlCommand
{
    private final Runnable action;
    private volatile boolean done;
    private RuntimeException failure;

    /** @param action what to run on the engine, in one step. */
    public ControlCommand(final Runnable action)
    {
        this.action = action;
    }

    /** For commands that override {@link #step()}. */
    protected ControlCommand()
    {
        this.action = null;
    }

    /**
     * Does the work, or looks whether long work has finished; never blocks.
     *
     * @return true when the command is complete.
     */
    protected boolean step()
    {
        action.run();
        return true;
    }

    final boolean runStep()
    {
        try
        {
            if (!step())
            {
                return false;
            }
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        done = true;
        return true;
    }

    /** @return true once the command completed (successfully or not). */
    public boolean isDone()
    {
        return done;
    }

    /** @return the failure, or null. */
    public RuntimeException failure()
    {
        return failure;
    }
}
