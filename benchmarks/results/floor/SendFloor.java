import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.softverbs.benchmarks.anchor.AgronaRingPingPong;
import io.softverbs.benchmarks.perf.LatencyResult;
import io.softverbs.benchmarks.perf.PerfOptions;
import io.softverbs.benchmarks.perf.PerfRunner;
import io.softverbs.benchmarks.perf.PerfTest;
import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MpscArrayQueue;

/**
 * Session 11's experiment, not part of the build: the least work a 32-byte inline SEND/RECV ping-pong with verbs
 * semantics can do, measured between two runs of the Agrona ring anchor and beside softverbs' send_lat, in one JVM.
 * <p>
 * Each side does what a SEND hop must: the post checks the QP state and the inline source (key lookup, PD, range,
 * region state), fills a 64-byte lane slot (header and payload) and publishes its stamp, then keeps a WQE with the
 * payload for a retransmission. The receiving poll, when its CQ is empty, looks at the lane's next stamp, checks the
 * destination QP, its state and the PSN, takes the receive WQE, checks the sink (key lookup, PD, range, state),
 * copies the payload, writes a CQE and reads it back into a completion object; the receive is then replaced.
 * Options: {@code c} enters a cycle (CAS) around every post and every receive, {@code l} takes a lock (CAS) in
 * each post and each receive post, {@code i} reads two MPSC queues and a third lane on every empty poll, as the
 * engine's idle check does; {@code 1} runs both sides on one thread and prints the software cost of a round trip.
 * No retransmission, ACKs, RNR or error completions: a model of the floor, not a transport.
 * <p>
 * Run (from the repository root, after {@code mvn -DskipTests package}):
 * <pre>
 * J=benchmarks/target/softverbs-perf.jar; javac -cp $J -d /tmp/floor benchmarks/results/floor/SendFloor.java
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp $J:/tmp/floor SendFloor 3 cli
 * taskset -c 1 java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp $J:/tmp/floor SendFloor 1 1cli
 * </pre>
 */
public final class SendFloor
{
    static final int LANE_SLOTS = 1024;
    static final int SLOT = 64;
    static final int PAYLOAD = 32;
    static final int RECEIVES = 512;
    static final int CQES = 1024;
    static final int CQE = 32;
    static final int SEND_WQES = 256;
    static final int WQE = 128;
    static final int RTS = 3;
    static final int RTR = 2;
    static final int VALID = 1;
    static final int ROUND_TRIPS = 200_000;
    static final int WARMUP = 50_000;

    static boolean cycles;
    static boolean locks;
    static boolean idleScan;
    static volatile boolean stop;

    public static void main(final String[] args) throws Exception
    {
        final int rounds = Integer.parseInt(args[0]);
        final String options = args.length > 1 ? args[1] : "";
        cycles = options.contains("c");
        locks = options.contains("l");
        idleScan = options.contains("i");
        for (int round = 1; round <= rounds; round++)
        {
            if (options.contains("1"))
            {
                System.out.printf("[%s] one thread: %.1f ns a round trip%n", options, oneThread(5_000_000));
                continue;
            }
            final double ring = new AgronaRingPingPong(PAYLOAD).measure(WARMUP, ROUND_TRIPS).getValueAtPercentile(50);
            final double floor = twoThreads();
            final LatencyResult softverbs = (LatencyResult)PerfRunner.run(PerfOptions.parse(new String[] {
                "-s", "32", "-n", Integer.toString(ROUND_TRIPS), "--warmup", Integer.toString(WARMUP)})
                .toSettings(PerfTest.SEND_LAT), null).get(0);
            final double sv = softverbs.medianRoundTripNanos();
            final double ringAgain =
                new AgronaRingPingPong(PAYLOAD).measure(WARMUP, ROUND_TRIPS).getValueAtPercentile(50);
            final double anchor = (ring + ringAgain) / 2;
            System.out.printf("[%s] round %d: ring %.0f ns, floor %.0f ns, softverbs send_lat %.0f ns, ring again " +
                "%.0f ns: floor %.2fx, softverbs %.2fx the ring%n", options, round, ring, floor, sv, ringAgain,
                floor / anchor, sv / anchor);
        }
    }

    static double oneThread(final int roundTrips)
    {
        final Side client = new Side();
        final Side server = new Side();
        client.connect(server);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < 5; r++)
        {
            final long start = System.nanoTime();
            for (int i = 0; i < roundTrips; i++)
            {
                client.send();
                server.awaitOne();
                server.send();
                server.replaceReceive();
                client.awaitOne();
                client.replaceReceive();
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        return best / (double)roundTrips;
    }

    static double twoThreads() throws InterruptedException
    {
        final Side client = new Side();
        final Side server = new Side();
        client.connect(server);
        stop = false;
        final Thread echo = new Thread(() ->
        {
            while (!stop)
            {
                if (server.poll())
                {
                    server.send();
                    server.replaceReceive();
                }
            }
        });
        echo.start();
        final Histogram histogram = new Histogram(10_000_000L, 3);
        for (int i = 0; i < WARMUP + ROUND_TRIPS; i++)
        {
            final long start = System.nanoTime();
            client.send();
            client.awaitOne();
            client.replaceReceive();
            if (i >= WARMUP)
            {
                histogram.recordValue(System.nanoTime() - start);
            }
        }
        stop = true;
        echo.join();
        return histogram.getValueAtPercentile(50);
    }

    /** A registered region, as the key table holds it. */
    static final class Region
    {
        final int key;
        final long address;
        final long length;
        final Object pd;
        volatile int state = VALID;

        Region(final int key, final long address, final long length, final Object pd)
        {
            this.key = key;
            this.address = address;
            this.length = length;
            this.pd = pd;
        }
    }

    /** What a poll hands the application. */
    static final class Completion
    {
        long wrId;
        int byteLen;
        int qpNum;
        int status;
        int opcode;
    }

    /** Words written by one side only, away from everything the other side reads. */
    static class Padding
    {
        long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
    }

    static final class CycleWords extends Padding
    {
        static final VarHandle CYCLE;
        static final VarHandle SEND_LOCK;
        static final VarHandle RECV_LOCK;

        static
        {
            try
            {
                final MethodHandles.Lookup lookup = MethodHandles.lookup();
                CYCLE = lookup.findVarHandle(CycleWords.class, "cycle", long.class);
                SEND_LOCK = lookup.findVarHandle(CycleWords.class, "sendLock", int.class);
                RECV_LOCK = lookup.findVarHandle(CycleWords.class, "recvLock", int.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        volatile long cycle;
        volatile int sendLock;
        volatile int recvLock;
        long q0, q1, q2, q3, q4, q5, q6, q7;

        long enter()
        {
            final long c = cycle;
            return (c & 1) != 0 || !CYCLE.compareAndSet(this, c, c + 1) ? -1 : c;
        }

        void exit(final long c)
        {
            CYCLE.setRelease(this, c + 2);
        }
    }

    /** One side: a QP with its send queue, receive queue, receive CQ, one region and the lane it writes. */
    static final class Side
    {
        final Object pd = new Object();
        final AtomicReferenceArray<Region> keys = new AtomicReferenceArray<>(64);
        final UnsafeBuffer out = buffer(LANE_SLOTS * SLOT);
        final UnsafeBuffer receives = buffer(RECEIVES * 32);
        final UnsafeBuffer cq = buffer(CQES * CQE);
        final UnsafeBuffer sendQueue = buffer(SEND_WQES * WQE);
        final UnsafeBuffer memory = buffer(4096);
        final UnsafeBuffer otherLane = buffer(LANE_SLOTS * SLOT);
        final MpscArrayQueue<Object> runQueue = new MpscArrayQueue<>(64);
        final MpscArrayQueue<Object> controlQueue = new MpscArrayQueue<>(64);
        final CycleWords words = new CycleWords();
        final Completion completion = new Completion();
        final int lkey = (1 << 8) | 0x5a;
        final int qpNum = 7;
        UnsafeBuffer in;
        long outSeq;
        long inSeq;
        long receiveHead;
        long receiveTail;
        long cqHead;
        long cqTail;
        long sendTail;
        int nextPsn;
        int expectedPsn;
        int state = RTS;

        Side()
        {
            keys.set(1, new Region(lkey, memory.addressOffset(), memory.capacity(), pd));
            for (int i = 0; i < 64; i++)
            {
                replaceReceive();
            }
        }

        static UnsafeBuffer buffer(final int bytes)
        {
            return new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 64));
        }

        void connect(final Side peer)
        {
            in = peer.out;
            peer.in = out;
        }

        Region lookup(final int key)
        {
            final int index = key >>> 8;
            if (index == 0 || index >= keys.length())
            {
                return null;
            }
            final Region region = keys.get(index);
            return region != null && region.key == key ? region : null;
        }

        boolean allows(final Region region, final long address, final long length)
        {
            return region != null && region.pd == pd && region.state == VALID && address >= region.address &&
                address + length <= region.address + region.length;
        }

        void send()
        {
            if (state != RTS)
            {
                throw new IllegalStateException("QP not ready to send");
            }
            final long c = cycles ? words.enter() : 0;
            if (locks)
            {
                while (!CycleWords.SEND_LOCK.compareAndSet(words, 0, 1))
                {
                    Thread.onSpinWait();
                }
            }
            try
            {
                post(1, memory.addressOffset(), PAYLOAD, lkey);
            }
            finally
            {
                if (locks)
                {
                    CycleWords.SEND_LOCK.setRelease(words, 0);
                }
                if (cycles)
                {
                    words.exit(c);
                }
            }
        }

        private void post(final long wrId, final long address, final int length, final int key)
        {
            if (!allows(lookup(key), address, length))
            {
                throw new IllegalStateException("inline source refused");
            }
            final int slot = (int)(outSeq & (LANE_SLOTS - 1)) * SLOT;
            out.putInt(slot + 8, qpNum);
            out.putInt(slot + 12, nextPsn);
            out.putInt(slot + 16, length);
            out.putInt(slot + 20, 0);
            UnsafeApi.copyMemory(null, address, null, out.addressOffset() + slot + 32, length);
            out.putLongRelease(slot, ++outSeq);
            // The WQE, kept for a retransmission, after the publication (as softverbs' fused post).
            final int wqe = (int)(sendTail++ & (SEND_WQES - 1)) * WQE;
            sendQueue.putLong(wqe, wrId);
            sendQueue.putInt(wqe + 8, nextPsn);
            sendQueue.putInt(wqe + 12, length);
            UnsafeApi.copyMemory(null, address, null, sendQueue.addressOffset() + wqe + 32, length);
            nextPsn = (nextPsn + 1) & 0xFF_FFFF;
        }

        void replaceReceive()
        {
            if (locks)
            {
                while (!CycleWords.RECV_LOCK.compareAndSet(words, 0, 1))
                {
                    Thread.onSpinWait();
                }
            }
            if (receiveTail - receiveHead >= RECEIVES)
            {
                throw new IllegalStateException("receive queue full");
            }
            final int wqe = (int)(receiveTail & (RECEIVES - 1)) * 32;
            receives.putLong(wqe, 1);
            receives.putLong(wqe + 8, memory.addressOffset() + 1024);
            receives.putInt(wqe + 16, 1024);
            receives.putInt(wqe + 20, lkey);
            receiveTail++;
            if (locks)
            {
                CycleWords.RECV_LOCK.setRelease(words, 0);
            }
        }

        void awaitOne()
        {
            while (!poll())
            {
                Thread.onSpinWait();
            }
        }

        /** ibv_poll_cq for one completion; an empty CQ runs the receive first. */
        boolean poll()
        {
            if (cqHead == cqTail)
            {
                receive();
            }
            if (cqHead == cqTail)
            {
                return false;
            }
            final int cqe = (int)(cqHead++ & (CQES - 1)) * CQE;
            completion.wrId = cq.getLong(cqe);
            completion.byteLen = cq.getInt(cqe + 8);
            completion.qpNum = cq.getInt(cqe + 12);
            completion.status = cq.getInt(cqe + 16);
            completion.opcode = cq.getInt(cqe + 20);
            if (completion.status != 0)
            {
                throw new IllegalStateException("receive failed");
            }
            return true;
        }

        private void receive()
        {
            final int slot = (int)(inSeq & (LANE_SLOTS - 1)) * SLOT;
            if (in.getLongAcquire(slot) != inSeq + 1)
            {
                if (idleScan && (!runQueue.isEmpty() || !controlQueue.isEmpty() || otherLane.getLongVolatile(0) != 0))
                {
                    throw new IllegalStateException("unexpected work");
                }
                return;
            }
            final long c = cycles ? words.enter() : 0;
            try
            {
                execute(slot);
            }
            finally
            {
                if (cycles)
                {
                    words.exit(c);
                }
            }
        }

        private void execute(final int slot)
        {
            final int destination = in.getInt(slot + 8);
            final int psn = in.getInt(slot + 12);
            final int length = in.getInt(slot + 16);
            if (destination != qpNum || psn != expectedPsn || state < RTR)
            {
                inSeq++;
                return; // dropped, as on a wire
            }
            if (receiveHead == receiveTail)
            {
                return; // RNR: left in the lane
            }
            final int wqe = (int)(receiveHead & (RECEIVES - 1)) * 32;
            final long wrId = receives.getLong(wqe);
            final long sink = receives.getLong(wqe + 8);
            final int sinkLength = receives.getInt(wqe + 16);
            if (!allows(lookup(receives.getInt(wqe + 20)), sink, sinkLength) || length > sinkLength)
            {
                throw new IllegalStateException("receive refused");
            }
            UnsafeApi.copyMemory(null, in.addressOffset() + slot + 32, null, sink, length);
            receiveHead++;
            expectedPsn = (expectedPsn + 1) & 0xFF_FFFF;
            inSeq++;
            if (cqTail - cqHead >= CQES)
            {
                throw new IllegalStateException("CQ overflow");
            }
            final int cqe = (int)(cqTail++ & (CQES - 1)) * CQE;
            cq.putLong(cqe, wrId);
            cq.putInt(cqe + 8, length);
            cq.putInt(cqe + 12, qpNum);
            cq.putInt(cqe + 16, 0);
            cq.putInt(cqe + 20, 128);
        }
    }
}
