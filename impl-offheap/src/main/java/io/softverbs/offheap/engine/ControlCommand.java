package io.softverbs.offheap.engine;

/**
 * A control-path operation for the engine's control stage; the issuing thread waits for {@link #isDone()}.
 * Failures are carried back to the issuer.
 */
public final class ControlCommand
{
    private final Runnable action;
    private volatile boolean done;
    private RuntimeException failure;

    /** @param action what to run on the engine. */
    public ControlCommand(final Runnable action)
    {
        this.action = action;
    }

    void run()
    {
        try
        {
            action.run();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        done = true;
    }

    /** @return true once the command ran. */
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
