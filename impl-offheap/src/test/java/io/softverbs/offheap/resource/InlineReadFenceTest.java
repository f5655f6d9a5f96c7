package io.softverbs.offheap.resource;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.QpInit;
import io.softverbs.SsqInit;
import io.softverbs.Verbs;
import io.softverbs.offheap.host.RingLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A post checks its inline sources and copies them under its send queue's lock; deregistering a region of the same
 * PD waits out the holders of those locks, so a post that passed its check before the region went away has finished
 * reading it before {@code close()} frees the memory. Here a held lock stands for a post between its check and its
 * copy: a QP's and a shared send queue's locks count from their creation until they are destroyed, and no longer.
 */
@Timeout(60)
class InlineReadFenceTest
{
    /** How long a close that should be waiting is given to return anyway: it must not. */
    private static final long MUST_STILL_WAIT_MS = 200;

    private Device device;

    @AfterEach
    void close()
    {
        if (device != null)
        {
            device.close();
        }
    }

    @Test
    void closingARegionWaitsForAPostReadingUnderItsLock() throws Exception
    {
        final SoftPd pd = openPd("inline-read-fence");
        final MemoryRegion region = pd.allocateMemory(1 << 20, Access.LOCAL_WRITE);
        final RingLock sendLock = new RingLock();
        pd.addSendLock(sendLock);

        assertCloseWaitsFor(sendLock, region);
    }

    @Test
    void aQueuePairsPostsAreWaitedForUntilItIsDestroyed() throws Exception
    {
        final SoftPd pd = openPd("inline-read-fence-qp");
        final CompletionQueue cq = pd.context().createCq(16);
        final SoftQp qp = (SoftQp)pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).build());
        assertCloseWaitsFor(qp.sendLock(), pd.allocateMemory(4096, Access.LOCAL_WRITE));

        qp.close();
        assertCloseDoesNotWaitFor(qp.sendLock(), pd.allocateMemory(4096, Access.LOCAL_WRITE));
    }

    @Test
    void aSharedSendQueuesPostsAreWaitedForUntilItIsClosed() throws Exception
    {
        final SoftPd pd = openPd("inline-read-fence-ssq");
        final CompletionQueue cq = pd.context().createCq(16);
        final SoftSsq ssq = (SoftSsq)pd.createSharedSendQueue(SsqInit.builder().sendCq(cq).maxWr(16).build());
        assertCloseWaitsFor(ssq.lock(), pd.allocateMemory(4096, Access.LOCAL_WRITE));

        ssq.close();
        assertCloseDoesNotWaitFor(ssq.lock(), pd.allocateMemory(4096, Access.LOCAL_WRITE));
    }

    /** Opens this test's device and a PD on it (the device is closed after the test). */
    private SoftPd openPd(final String deviceName)
    {
        device = Verbs.open(DeviceConfig.builder(deviceName).build());
        return (SoftPd)device.open().allocPd();
    }

    /** Holds the lock as a post between its check and its copy would; close() must not return until it is let go. */
    private static void assertCloseWaitsFor(final RingLock lock, final MemoryRegion region) throws Exception
    {
        lock.lock();
        final CountDownLatch closed = new CountDownLatch(1);
        final Thread closer = startClosing(region, closed);
        assertFalse(closed.await(MUST_STILL_WAIT_MS, MILLISECONDS), "close() returned while a post held its lock");
        lock.unlock();
        assertTrue(closed.await(10, SECONDS), "close() still waiting after the post let go");
        closer.join();
    }

    /** A lock of a send queue that is gone: close() returns while it is held. */
    private static void assertCloseDoesNotWaitFor(final RingLock lock, final MemoryRegion region) throws Exception
    {
        lock.lock();
        final CountDownLatch closed = new CountDownLatch(1);
        final Thread closer = startClosing(region, closed);
        try
        {
            assertTrue(closed.await(10, SECONDS), "close() waited for a lock of a send queue that is gone");
        }
        finally
        {
            lock.unlock();
            closer.join();
        }
    }

    /** Closes the region on a thread of its own, counting the latch down when close() has returned. */
    private static Thread startClosing(final MemoryRegion region, final CountDownLatch closed)
    {
        final Thread closer = new Thread(() ->
        {
            region.close();
            closed.countDown();
        }, "closer");
        closer.setDaemon(true); // a regression must fail the test, not keep the JVM alive
        closer.start();
        return closer;
    }

    @Test
    void aLockNoLongerInTheSetIsNotWaitedFor() throws Exception
    {
        final SoftPd pd = openPd("inline-read-fence-removed");
        final MemoryRegion region = pd.allocateMemory(4096, Access.LOCAL_WRITE);
        final RingLock sendLock = new RingLock();
        pd.addSendLock(sendLock);
        pd.removeSendLock(sendLock); // its send queue was destroyed
        assertCloseDoesNotWaitFor(sendLock, region);
    }

    @Test
    void aWaiterReturnsWhenTheHolderItSawLetsGoEvenIfTheLockIsTakenAgain() throws Exception
    {
        final RingLock lock = new RingLock();
        lock.awaitRelease(); // free: returns at once

        lock.lock();
        final CountDownLatch waiting = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final Thread waiter = new Thread(() ->
        {
            waiting.countDown();
            lock.awaitRelease();
            released.countDown();
        }, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        assertTrue(waiting.await(10, SECONDS));
        assertFalse(released.await(MUST_STILL_WAIT_MS, MILLISECONDS), "returned while the holder it saw held on");
        lock.unlock();
        lock.lock(); // a later post: not the holder the waiter waits for
        assertTrue(released.await(10, SECONDS), "a new holder kept the waiter waiting");
        lock.unlock();
        waiter.join();
    }
}
