package io.softverbs.offheap.ssq;

import java.util.concurrent.TimeUnit;

import io.softverbs.CompletionQueue;
import io.softverbs.Device;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.SharedSendQueue;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.FixtureSupport;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small fixture of the shared-send-queue tests: unique devices, channels, QPs and a quiet check; bounded polling and
 * connecting are in {@link FixtureSupport}.
 */
final class SsqFixture
{
    private SsqFixture()
    {
    }

    /** @return a device on the mem transport with a name no other test uses. */
    static Device openDevice(final String prefix)
    {
        return FixtureSupport.openDevice("ssq-" + prefix);
    }

    /** @return a channel of {@code ssq}: no send ring of its own, one receive slot. */
    static QueuePair channel(final ProtectionDomain pd, final SharedSendQueue ssq, final CompletionQueue recvCq)
    {
        return pd.createQueuePair(QpInit.builder().sharedSendQueue(ssq).recvCq(recvCq).maxRecvWr(1).maxRecvSge(1)
            .build());
    }

    /** @return an ordinary RC QP using {@code cq} for both directions. */
    static QueuePair qp(final ProtectionDomain pd, final CompletionQueue cq)
    {
        return pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).build());
    }

    /**
     * Asserts that {@code cq} stays empty for {@code millis} (a bounded negative check, polling, no sleep); used only
     * where nothing may legitimately arrive before the test itself unblocks it.
     */
    static void assertQuiet(final CompletionQueue cq, final long millis, final String why)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - end < 0)
        {
            final WorkCompletion wc = FixtureSupport.tryPoll(cq);
            if (wc != null)
            {
                fail(why + ": " + wc);
            }
            Thread.yield();
        }
    }
}
