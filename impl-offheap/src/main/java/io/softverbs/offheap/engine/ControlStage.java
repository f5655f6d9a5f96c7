package io.softverbs.offheap.engine;

import java.util.ArrayDeque;

import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * The engine's control stage: drains the context's control queue (MPSC: any thread may issue commands) and gives
 * long commands one bounded step per cycle, so a large registration never holds up the data path of any QP.
 */
final class ControlStage
{
    /**
     * JCTools' unbounded queue: only its {@code isEmpty} runs on the data path (every cycle), and driven alone it
     * allocated nothing at its C2 compilations, unlike the offer and poll of JCTools' array queues (see the run
     * queue in {@link Engine}).
     */
    private final MpscUnboundedArrayQueue<ControlCommand> queue = new MpscUnboundedArrayQueue<>(64);
    private final ArrayDeque<ControlCommand> inProgress = new ArrayDeque<>();

    void submit(final ControlCommand command)
    {
        queue.offer(command);
    }

    /** @return true if a command waits or is in progress; a hint, safe to call from any thread. */
    boolean hasWork()
    {
        return !queue.isEmpty() || !inProgress.isEmpty();
    }

    int doWork()
    {
        if (queue.isEmpty() && inProgress.isEmpty())
        {
            return 0;
        }
        int work = 0;
        ControlCommand command;
        while ((command = queue.relaxedPoll()) != null)
        {
            work++;
            // Short commands finish at once, even behind a long one; long ones are looked at again next cycle.
            if (!command.runStep())
            {
                inProgress.addLast(command);
            }
        }
        // Each long command gets one bounded step per cycle.
        for (int n = inProgress.size(); n > 0; n--)
        {
            final ControlCommand pending = inProgress.pollFirst();
            if (!pending.runStep())
            {
                inProgress.addLast(pending);
            }
        }
        return work;
    }
}
