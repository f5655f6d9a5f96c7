package io.softverbs.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.softverbs.Access;
import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.Verbs;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import io.softverbs.benchmarks.perf.StopSignal;
import io.softverbs.benchmarks.perf.verbs.CompletionWaiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A request/response round trip after a pause, the way a server with sporadic traffic sees one: two devices in the
 * default DEDICATED progress mode, whose application threads wait for completions on completion channels
 * ({@code ibv_get_cq_event}) instead of spinning, A sending 32 inline bytes and B's echo thread sending them back.
 * Before each round trip (outside the measurement) this thread pauses for {@code pauseMicros}, long enough for both
 * engine threads to back off into parks. What it measures is how fast idle engines answer: a post's doorbell and
 * a peer's message wake a parked engine thread at once, so the figure is the operating system's wake-ups (about six
 * per round trip: two engines and one application thread on each side), not the parks' lengths.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IdleWakeBenchmark extends JmhSettings
{
    private static final int SIZE = 32;
    private static final int DEPTH = 64;
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** The pause before each round trip, in microseconds. */
    @Param({"0", "1000", "5000"})
    public int pauseMicros;

    private Device deviceA;
    private Device deviceB;
    private Side a;
    private Side b;
    private Thread echo;
    private volatile boolean running;
    private final StopSignal stop = () -> !running;

    /** Opens both devices, connects them and starts B's echo thread. */
    @Setup(Level.Trial)
    public void open()
    {
        final String suffix = "-idle-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
        deviceA = Verbs.open(DeviceConfig.builder("a" + suffix).progress(ProgressMode.DEDICATED).build());
        deviceB = Verbs.open(DeviceConfig.builder("b" + suffix).progress(ProgressMode.DEDICATED).build());
        a = new Side(deviceA.open());
        b = new Side(deviceB.open());
        a.qp.connect(b.qp.localEndpoint());
        b.qp.connect(a.qp.localEndpoint());
        a.postReceives();
        b.postReceives();
        running = true;
        echo = new Thread(this::echo, "idle-wake-echo");
        echo.setDaemon(true);
        echo.start();
    }

    /** Lets both sides' engine threads go idle (not measured). */
    @Setup(Level.Invocation)
    public void pause()
    {
        if (pauseMicros > 0)
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(pauseMicros));
        }
    }

    /** @return the echoed byte count (32). */
    @Benchmark
    public int roundTrip()
    {
        a.send();
        return a.awaitReceive();
    }

    /** Stops the echo thread and closes both devices. */
    @TearDown(Level.Trial)
    public void close() throws InterruptedException
    {
        running = false;
        echo.join(TimeUnit.SECONDS.toMillis(5));
        deviceA.close();
        deviceB.close();
    }

    private void echo()
    {
        while (running)
        {
            if (b.awaitReceive() > 0)
            {
                b.send();
            }
        }
    }

    /** One side: a QP whose receive CQ is bound to a completion channel, every send signaled and reaped. */
    private final class Side
    {
        final QueuePair qp;
        private final CompletionQueue sendCq;
        private final CompletionWaiter recvWaiter;
        private final MemoryRegion region;
        private final SendWorkRequest send = new SendWorkRequest();
        private final RecvWorkRequest recv = new RecvWorkRequest();
        private final WorkCompletion[] completions = {new WorkCompletion()};

        Side(final Context ctx)
        {
            final ProtectionDomain pd = ctx.allocPd();
            final CompletionChannel channel = ctx.createCompletionChannel();
            sendCq = ctx.createCq(2 * DEPTH);
            final CompletionQueue recvCq = ctx.createCq(2 * DEPTH, channel);
            recvWaiter = new CompletionWaiter(recvCq, channel, "waiting for a receive");
            qp = pd.createQueuePair(QpInit.builder().sendCq(sendCq).recvCq(recvCq).maxSendWr(DEPTH)
                .maxRecvWr(DEPTH).signalAll(true).build());
            region = pd.allocateMemory(4096, Access.LOCAL_WRITE);
            send.opcode(Opcode.SEND).flags(SendFlags.INLINE).sge(region, 0, SIZE);
            recv.sge(region, 1024, SIZE);
        }

        /** Fills the receive queue (once connected: a QP in RESET takes none). */
        void postReceives()
        {
            for (int i = 0; i < DEPTH; i++)
            {
                final int rc = qp.postRecv(recv);
                if (rc != 0)
                {
                    throw PerfException.postRecvRefused(rc);
                }
            }
        }

        void send()
        {
            final int rc = qp.postSend(send);
            if (rc != 0)
            {
                throw PerfException.postSendRefused(rc);
            }
        }

        /**
         * Waits on the channel, as {@code ibv_get_cq_event} does, for the next receive; replaces it and takes any
         * send completions. @return its byte count, or 0 if the benchmark is closing.
         */
        int awaitReceive()
        {
            if (recvWaiter.await(completions, stop) == 0)
            {
                return 0;
            }
            final WorkCompletion wc = completions[0];
            if (wc.status() != WcStatus.SUCCESS || wc.opcode() != WcOpcode.RECV)
            {
                throw PerfException.receiveCompletionFailed(wc);
            }
            final int bytes = wc.byteLen();
            final int rc = qp.postRecv(recv);
            if (rc != 0)
            {
                throw PerfException.postRecvRefused(rc);
            }
            while (sendCq.poll(completions) > 0)
            {
                if (completions[0].status() != WcStatus.SUCCESS)
                {
                    throw PerfException.sendCompletionFailed(completions[0]);
                }
            }
            return bytes;
        }
    }
}
