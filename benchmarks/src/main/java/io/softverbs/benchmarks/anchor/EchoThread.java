package io.softverbs.benchmarks.anchor;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;

/**
 * The echo side of a ping-pong anchor: an Agrona agent on a busy-spinning thread of its own, started for one
 * measurement and stopped (joined) by {@link #close()}. Busy-spinning, like the softverbs side it is compared
 * with, which runs one busy thread per side.
 */
final class EchoThread implements AutoCloseable
{
    private final AgentRunner runner;

    private EchoThread(final AgentRunner runner)
    {
        this.runner = runner;
    }

    /**
     * @param name name of the thread.
     * @param echo returns each message it finds; its {@code doWork} reports how many.
     * @return the running thread.
     */
    static EchoThread start(final String name, final EchoWork echo)
    {
        final AgentRunner runner = new AgentRunner(new BusySpinIdleStrategy(), Throwable::printStackTrace, null,
            new Agent()
            {
                @Override
                public int doWork()
                {
                    return echo.echo();
                }

                @Override
                public String roleName()
                {
                    return name;
                }
            });
        AgentRunner.startOnThread(runner);
        return new EchoThread(runner);
    }

    /** One duty cycle of an echo. */
    @FunctionalInterface
    interface EchoWork
    {
        /** @return messages echoed this cycle. */
        int echo();
    }

    @Override
    public void close()
    {
        runner.close();
    }
}
