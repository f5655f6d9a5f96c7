package io.softverbs.offheap.resource;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import io.softverbs.offheap.engine.EngineFence;
import io.softverbs.offheap.engine.FenceMember;
import org.agrona.UnsafeApi;

/**
 * Registration work off the engine: each registration's range is validated and its pages pre-faulted on a worker
 * thread of its own, so a page fault the kernel stalls for milliseconds stalls no engine, and a small registration
 * never waits behind a large one. A running job is a {@link FenceMember}: it touches a batch of pages only after
 * checking that the region is still pending, inside a marked stretch the deregistration fence waits for.
 */
final class Prefaulter
{
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(task ->
    {
        final Thread thread = new Thread(task, "softverbs-prefaulter");
        thread.setDaemon(true);
        return thread;
    });

    private Prefaulter()
    {
    }

    /**
     * @param mr              the pending region.
     * @param validateMapping true to check the range against the process's mappings first.
     * @return the job; its {@link Job#result} leaves {@link Job#RUNNING} when it is finished.
     */
    static Job submit(final SoftMr mr, final boolean validateMapping)
    {
        final Job job = new Job(mr, validateMapping);
        WORKERS.execute(job);
        return job;
    }

    /** One region to validate and pre-fault. */
    static final class Job implements Runnable, FenceMember
    {
        static final int RUNNING = 0;
        static final int DONE = 1;
        static final int UNMAPPED = 2;
        static final int CANCELLED = 3;

        private static final long PAGE = 4096;
        private static final int PAGES_PER_STRETCH = 16;

        private final SoftMr mr;
        private final boolean validateMapping;
        private final AtomicLong stretch = new AtomicLong();
        private volatile Thread runner;
        private long checksum;
        volatile int result = RUNNING;

        Job(final SoftMr mr, final boolean validateMapping)
        {
            this.mr = mr;
            this.validateMapping = validateMapping;
        }

        @Override
        public void run()
        {
            runner = Thread.currentThread();
            EngineFence.register(this);
            try
            {
                result = process();
            }
            finally
            {
                EngineFence.unregister(this);
            }
        }

        private int process()
        {
            if (validateMapping && !AddressSpace.isReadable(mr.address(), mr.length()))
            {
                return UNMAPPED;
            }
            final long end = mr.address() + mr.length();
            long cursor = mr.address();
            while (cursor < end)
            {
                stretch.incrementAndGet(); // odd: inside; a full fence, so the state check below sees a retirement
                try
                {
                    if (mr.state() != SoftMr.PENDING)
                    {
                        return CANCELLED;
                    }
                    for (int i = 0; i < PAGES_PER_STRETCH && cursor < end; i++)
                    {
                        checksum += UnsafeApi.getByte(cursor);
                        cursor = (cursor & -PAGE) + PAGE;
                    }
                }
                finally
                {
                    stretch.incrementAndGet();
                }
            }
            return DONE;
        }

        @Override
        public void awaitCycleBoundary()
        {
            final long s = stretch.get();
            if ((s & 1) == 0 || Thread.currentThread() == runner)
            {
                return;
            }
            while (stretch.get() == s)
            {
                Thread.onSpinWait();
            }
        }

        @Override
        public String toString()
        {
            return "Prefaulter.Job{" + mr + ", checksum=" + checksum + '}';
        }
    }
}
