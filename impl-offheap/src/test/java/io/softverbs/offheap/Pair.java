package io.softverbs.offheap;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.function.UnaryOperator;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.ProgressMode;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.WorkCompletion;

/**
 * The common fixture: two devices (A requester, B responder) with an RC QP pair between them. Tests close it in
 * {@code @AfterEach}. In INVOKER mode the poll helpers drive both engines.
 */
final class Pair implements AutoCloseable
{
    final Node a;
    final Node b;
    final QueuePair qpA;
    final QueuePair qpB;
    private final Context[] driven;

    private Pair(final ProgressMode mode, final UnaryOperator<QpInit.Builder> qpOptions, final boolean connect)
    {
        a = Node.open("a", mode);
        try
        {
            b = Node.open("b", mode);
        }
        catch (final RuntimeException | Error ex)
        {
            a.close();
            throw ex;
        }
        try
        {
            qpA = a.createQp(qpOptions);
            qpB = b.createQp(qpOptions);
            if (connect)
            {
                TestSupport.connect(qpA, qpB);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
        driven = mode == ProgressMode.INVOKER ? new Context[] {a.ctx, b.ctx} : new Context[0];
    }

    /** @return a connected pair in DEDICATED mode with default QPs. */
    static Pair open()
    {
        return new Pair(ProgressMode.DEDICATED, o -> o, true);
    }

    /**
     * @param mode      who runs the engines.
     * @param qpOptions adjustments to both QPs' creation attributes.
     * @param connect   false to leave both QPs in RESET (state-machine and manual-modify tests).
     */
    static Pair open(final ProgressMode mode, final UnaryOperator<QpInit.Builder> qpOptions, final boolean connect)
    {
        return new Pair(mode, qpOptions, connect);
    }

    /** @return the contexts poll loops must drive (both in INVOKER mode, none in DEDICATED mode). */
    Context[] driven()
    {
        return driven;
    }

    List<WorkCompletion> poll(final CompletionQueue cq, final int n)
    {
        return TestSupport.pollUntil(cq, n, driven);
    }

    WorkCompletion pollOne(final CompletionQueue cq)
    {
        return TestSupport.pollOne(cq, driven);
    }

    void assertEmpty(final CompletionQueue cq)
    {
        TestSupport.assertEmpty(cq, driven);
    }

    AsyncEvent awaitEvent(final BlockingQueue<AsyncEvent> events, final AsyncEventType type)
    {
        return TestSupport.awaitEvent(events, type, driven);
    }

    /** @return a new connected QP pair on the same nodes and CQs. */
    QueuePair[] newConnectedQps(final UnaryOperator<QpInit.Builder> qpOptions)
    {
        final QueuePair x = a.createQp(qpOptions);
        final QueuePair y = b.createQp(qpOptions);
        TestSupport.connect(x, y);
        return new QueuePair[] {x, y};
    }

    @Override
    public void close()
    {
        try
        {
            if (b != null)
            {
                b.close();
            }
        }
        finally
        {
            a.close();
        }
    }
}
