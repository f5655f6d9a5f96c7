package io.softverbs.offheap;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A polled send completion has freed its send queue entry, as with {@code ibv_poll_cq}: an application that keeps
 * its queue full and posts the moment a completion arrives never sees ENOMEM. The engine (its own thread here)
 * must free the ring space before the completion becomes visible, not after. And one not yet polled still holds
 * its entry, even for a request executed in its post, so a CQ as deep as the send queue never overflows.
 */
@Timeout(60)
class SendQueueSlotTest
{
    private static final int ROUNDS = 200_000;
    private static final int DEPTH = 2;

    private Pair pair;

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    @Test
    void aPolledCompletionHasFreedItsSlot()
    {
        final SendWorkRequest write = openWithSignaledWrite(ProgressMode.DEDICATED);
        final WorkCompletion[] wc = {new WorkCompletion()};

        // Exactly DEPTH requests, so that each completion polled stands for a slot nobody has taken again. Posting
        // until a refusal could post more than DEPTH when the engine completes one meanwhile: completions would then
        // wait in the CQ for slots already reused, and a post after polling one would find the queue full.
        int posted = 0;
        while (posted < DEPTH)
        {
            assertEquals(0, pair.qpA.postSend(write.wrId(posted)), "post " + posted + " into an empty queue");
            posted++;
        }
        long refused = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final long deadline = System.nanoTime() + WAIT_NANOS;
            while (pair.a.sendCq.poll(wc) == 0)
            {
                assertTrue(System.nanoTime() < deadline, "no completion");
            }
            assertEquals(WcStatus.SUCCESS, wc[0].status(), wc[0]::toString);
            final int rc = pair.qpA.postSend(write.wrId(posted));
            if (rc == Errors.ENOMEM)
            {
                refused++;
                assertEquals(0, postWhenFree(write.wrId(posted)), "post after a refusal");
            }
            else
            {
                assertEquals(0, rc);
            }
            posted++;
        }
        assertEquals(0, refused, "posts refused right after their slot's completion was polled");
    }

    @Test
    void aCompletionNotYetPolledHoldsItsSlot()
    {
        // INVOKER, and a peer ready for WRITEs: each WRITE executes and completes inside its post (the direct path),
        // or, in the lanes run, waits for the engines; either way nothing is polled yet, so the queue is full.
        final SendWorkRequest write = openWithSignaledWrite(ProgressMode.INVOKER);
        for (int i = 0; i < DEPTH; i++)
        {
            assertEquals(0, pair.qpA.postSend(write.wrId(i)), "post " + i);
        }
        for (int round = 0; round < 3; round++)
        {
            assertEquals(Errors.ENOMEM, pair.qpA.postSend(write.wrId(99)), "round " + round + ": a full queue");
            final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(round, wc.wrId());
            assertEquals(0, pair.qpA.postSend(write.wrId(DEPTH + round)), "round " + round + ": a polled slot");
        }
    }

    @Test
    void aHandlerMayPostIntoTheSlotOfTheCompletionItIsHanded()
    {
        final SendWorkRequest write = openWithSignaledWrite(ProgressMode.INVOKER);
        for (int i = 0; i < DEPTH; i++)
        {
            assertEquals(0, pair.qpA.postSend(write.wrId(i)), "post " + i);
        }
        final long deadline = System.nanoTime() + WAIT_NANOS;
        final int[] posted = new int[1];
        while (posted[0] < DEPTH)
        {
            assertTrue(System.nanoTime() < deadline, "no completion");
            pair.b.ctx.progress(); // the lanes run: the peer answers
            pair.a.sendCq.poll(wc ->
            {
                assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
                // The queue is full of requests whose completions nobody polled but this one: its slot is free.
                assertEquals(0, pair.qpA.postSend(write.wrId(DEPTH + posted[0]++)), "a post from the handler");
            }, 1);
        }
    }

    /** Opens a pair whose send queue holds {@link #DEPTH} requests. @return a signaled inline WRITE from A to B. */
    private SendWorkRequest openWithSignaledWrite(final ProgressMode mode)
    {
        pair = Pair.open(mode, o -> o.maxSendWr(DEPTH), true);
        final MemoryRegion src = pair.a.alloc(64, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(64, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        return new SendWorkRequest().opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED | SendFlags.INLINE)
            .sge(src, 0, 8).remote(dst.address(), dst.rkey());
    }

    /** Posts once the engine has freed the slot, so a refusal is counted once and the loop goes on. */
    private int postWhenFree(final SendWorkRequest wr)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        int rc;
        while ((rc = pair.qpA.postSend(wr)) == Errors.ENOMEM && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        return rc;
    }
}
