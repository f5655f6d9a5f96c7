package io.softverbs.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.AtomicBuffer;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedSendQueue;
import io.softverbs.SsqInit;
import io.softverbs.Verbs;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;

/**
 * Market-data fan-out over a shared send queue, written against the public API ({@code io.softverbs}) only.
 * <p>
 * One publisher device owns one {@link SharedSendQueue}; every subscriber is its own device (on the in-process
 * {@code mem} transport) with one RC queue pair, connected to one <em>channel</em> of the SSQ. For every sequence
 * number the publisher posts one {@link Opcode#SEND_WITH_IMM} per subscriber through the SSQ: the immediate data is
 * the sequence number, the 32-byte payload (inline, so the payload buffer is reused at once) repeats it with a
 * timestamp and a price. The SSQ gives the publisher a single send ring and a single completion queue for all
 * subscribers; its completions come in posting order, so "everything up to here is delivered" is one counter.
 * <p>
 * Every subscriber checks that it saw every sequence number exactly once and in order (immediate data and payload
 * agree), and re-posts its receive. Progress mode is {@link ProgressMode#INVOKER}: the publisher thread drives the
 * publisher's engine, one subscriber thread drives all subscribers' engines by polling their CQs, so the program
 * uses exactly two busy threads whatever the number of subscribers.
 * <p>
 * The publisher loop (post, reap completions) allocates nothing: one reused {@link SendWorkRequest}, one reused
 * completion array, the payload written into a registered buffer.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp ... io.softverbs.examples.MarketDataFanOut \
 *     [--subscribers 8] [--messages 100000]
 * </pre>
 * Exit status 0 when every subscriber saw every sequence number in order, 1 on any gap, duplicate, reorder or error
 * completion, 2 on a bad command line.
 */
public final class MarketDataFanOut
{
    /** Default number of subscribers. */
    public static final int DEFAULT_SUBSCRIBERS = 8;
    /** Default number of sequence numbers published. */
    public static final int DEFAULT_MESSAGES = 100_000;
    /** Payload bytes per message: sequence, timestamp, price. */
    public static final int PAYLOAD = 32;

    static final int SSQ_DEPTH = 1024;
    static final int SIGNAL_EVERY = 64;
    static final int RECV_DEPTH = 256;
    static final long STALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private static final int SEQ_OFFSET = 0;
    private static final int TIME_OFFSET = 8;
    private static final int PRICE_OFFSET = 16;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private MarketDataFanOut()
    {
    }

    /**
     * Parsed command line.
     *
     * @param subscribers number of subscribers (channels of the SSQ).
     * @param messages    sequence numbers published (each to every subscriber).
     */
    public record Options(int subscribers, int messages)
    {
    }

    /**
     * The outcome of a run.
     *
     * @param subscribers      number of subscribers.
     * @param messages         sequence numbers published.
     * @param elapsedNanos     from the first post until every subscriber has everything.
     * @param received         per subscriber: messages received.
     * @param errors           per subscriber: gaps, duplicates, reorders, payload mismatches, error completions.
     * @param publisherErrors  error completions on the SSQ, or refused posts.
     * @param publisherAllocatedBytes bytes the publisher thread allocated in the second half of its loop, i.e. in
     *                         steady state, engine duty cycles included (-1 if unmeasurable).
     * @param firstProblem     description of the first problem seen, or null.
     */
    public record Result(int subscribers, int messages, long elapsedNanos, long[] received, long[] errors,
        long publisherErrors, long publisherAllocatedBytes, String firstProblem)
    {
        /** @return true if every subscriber saw every sequence number exactly once, in order, and nothing failed. */
        public boolean ok()
        {
            if (publisherErrors != 0 || firstProblem != null)
            {
                return false;
            }
            for (int i = 0; i < subscribers; i++)
            {
                if (received[i] != messages || errors[i] != 0)
                {
                    return false;
                }
            }
            return true;
        }

        /** @return sequence numbers per second (each delivered to every subscriber). */
        public double messagesPerSecond()
        {
            return messages / (elapsedNanos / 1e9);
        }

        /** @return deliveries (messages times subscribers) per second. */
        public double deliveriesPerSecond()
        {
            return (double)messages * subscribers / (elapsedNanos / 1e9);
        }
    }

    /** @return the usage text. */
    public static String usage()
    {
        return String.join(System.lineSeparator(),
            "usage: MarketDataFanOut [--subscribers N] [--messages M]",
            "  --subscribers N  subscribers, each its own device and a channel of the SSQ (default " +
                DEFAULT_SUBSCRIBERS + ", 1.." + (SSQ_DEPTH / 2) + ")",
            "  --messages M     sequence numbers published to every subscriber (default " + DEFAULT_MESSAGES + ")");
    }

    /**
     * @param args the command line.
     * @return the options.
     * @throws IllegalArgumentException on a bad argument.
     */
    public static Options parse(final String... args)
    {
        int subscribers = DEFAULT_SUBSCRIBERS;
        int messages = DEFAULT_MESSAGES;
        final ExampleSupport.ArgReader reader = new ExampleSupport.ArgReader(args, "--subscribers", "--messages");
        while (reader.next())
        {
            final String name = reader.name();
            final String value = reader.value();
            final int n;
            try
            {
                n = Integer.parseInt(value.trim().replace("_", ""));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(name + ": not a number: " + value);
            }
            if (name.equals("--subscribers"))
            {
                if (n < 1 || n > SSQ_DEPTH / 2)
                {
                    throw new IllegalArgumentException("--subscribers must be in 1.." + (SSQ_DEPTH / 2) + ": " + n);
                }
                subscribers = n;
            }
            else
            {
                if (n < 1)
                {
                    throw new IllegalArgumentException("--messages must be positive: " + n);
                }
                messages = n;
            }
        }
        return new Options(subscribers, messages);
    }

    /**
     * Runs a fan-out and prints the report.
     *
     * @param out  where to print, or null for silence.
     * @param args the command line.
     * @return the result.
     */
    public static Result run(final PrintStream out, final String... args)
    {
        return run(parse(args), out);
    }

    /**
     * Opens the devices, connects every subscriber to a channel of the publisher's SSQ, publishes, checks, closes.
     *
     * @param options what to run.
     * @param out     where to print, or null for silence.
     * @return the result (also when a check failed; see {@link Result#ok()}).
     */
    public static Result run(final Options options, final PrintStream out)
    {
        final int n = options.subscribers();
        final String tag = ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        final Device publisherDevice = Verbs.open(DeviceConfig.builder("mdfo-pub-" + tag)
            .progress(ProgressMode.INVOKER).build());
        final Device[] subscriberDevices = new Device[n];
        try
        {
            final Publisher publisher = new Publisher(publisherDevice.open(), n);
            final Subscriber[] subscribers = new Subscriber[n];
            for (int i = 0; i < n; i++)
            {
                subscriberDevices[i] = Verbs.open(DeviceConfig.builder("mdfo-sub" + i + "-" + tag)
                    .progress(ProgressMode.INVOKER).build());
                subscribers[i] = new Subscriber(subscriberDevices[i].open(), options.messages());
                publisher.channels[i].connect(subscribers[i].qp.localEndpoint());
                subscribers[i].qp.connect(publisher.channels[i].localEndpoint());
                subscribers[i].postAllReceives();
            }

            final SubscriberLoop loop = new SubscriberLoop(subscribers);
            final Thread thread = new Thread(loop, "mdfo-subscribers");
            thread.setDaemon(true);
            final long start = System.nanoTime();
            thread.start();
            publisher.publish(options.messages(), loop);
            final long allocatedAfter = ExampleSupport.allocatedBytes();
            loop.publisherFinished = true;
            ExampleSupport.join(thread, TimeUnit.NANOSECONDS.toMillis(STALL_TIMEOUT_NS) * 2);
            final long elapsed = loop.finishedAt - start;

            final long[] received = new long[n];
            final long[] errors = new long[n];
            String problem = publisher.problem != null ? publisher.problem : loop.problem;
            for (int i = 0; i < n; i++)
            {
                received[i] = subscribers[i].received;
                errors[i] = subscribers[i].errors;
                if (problem == null && subscribers[i].problem != null)
                {
                    problem = "subscriber " + i + ": " + subscribers[i].problem;
                }
            }
            final Result result = new Result(n, options.messages(), Math.max(1, elapsed), received, errors,
                publisher.errors, publisher.allocatedAtHalf < 0 ? -1 : allocatedAfter - publisher.allocatedAtHalf,
                problem);
            if (out != null)
            {
                print(result, out);
            }
            return result;
        }
        finally
        {
            for (final Device device : subscriberDevices)
            {
                if (device != null)
                {
                    device.close();
                }
            }
            publisherDevice.close();
        }
    }

    static void print(final Result r, final PrintStream out)
    {
        out.printf("softverbs market-data fan-out: 1 publisher, SSQ of %d, %d subscribers, %d messages of %d bytes " +
            "(SEND_WITH_IMM, INLINE, mem transport, INVOKER progress)%n", SSQ_DEPTH, r.subscribers(), r.messages(),
            PAYLOAD);
        out.printf("%-12s %12s %10s%n", "subscriber", "received", "errors");
        for (int i = 0; i < r.subscribers(); i++)
        {
            out.printf("%-12d %12d %10d%n", i, r.received()[i], r.errors()[i]);
        }
        out.printf("elapsed %.3f s, %.0f messages/s, %.0f deliveries/s, publisher errors %d, publisher loop " +
            "allocated %d bytes in its second half%n", r.elapsedNanos() / 1e9, r.messagesPerSecond(),
            r.deliveriesPerSecond(), r.publisherErrors(), r.publisherAllocatedBytes());
        out.println(r.ok() ? "OK: every subscriber saw every sequence number exactly once, in order" :
            "FAILED: " + (r.firstProblem() != null ? r.firstProblem() : "counts " + Arrays.toString(r.received())));
        out.flush();
    }

    /**
     * Command-line entry point.
     *
     * @param args see {@link #usage()}.
     */
    public static void main(final String[] args)
    {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")))
        {
            System.out.println(usage());
            return;
        }
        final Options options;
        try
        {
            options = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        final Result result = run(options, System.out);
        System.exit(result.ok() ? 0 : 1);
    }

    /** The publisher: one SSQ, one channel per subscriber, one CQ for all send completions. */
    static final class Publisher
    {
        final Context ctx;
        final CompletionQueue sendCq;
        final CompletionQueue recvCq;
        final SharedSendQueue ssq;
        final QueuePair[] channels;
        final MemoryRegion payload;
        final AtomicBuffer payloadBuffer;
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] completions = new WorkCompletion[64];
        long signaledPosted;
        long signaledCompleted;
        long allocatedAtHalf = -1;
        long errors;
        String problem;

        Publisher(final Context ctx, final int subscribers)
        {
            this.ctx = ctx;
            final ProtectionDomain pd = ctx.allocPd();
            sendCq = ctx.createCq(SSQ_DEPTH);
            recvCq = ctx.createCq(16);
            ssq = pd.createSharedSendQueue(SsqInit.builder().sendCq(sendCq).maxWr(SSQ_DEPTH).maxSge(1)
                .maxInlineData(PAYLOAD).build());
            channels = new QueuePair[subscribers];
            for (int i = 0; i < subscribers; i++)
            {
                // A channel has no send ring of its own: its sends go through the SSQ.
                channels[i] = pd.createQueuePair(QpInit.builder().sharedSendQueue(ssq).recvCq(recvCq)
                    .maxRecvWr(1).maxRecvSge(1).build());
            }
            payload = pd.allocateMemory(PAYLOAD, Access.LOCAL_WRITE);
            payloadBuffer = payload.buffer();
            for (int i = 0; i < completions.length; i++)
            {
                completions[i] = new WorkCompletion();
            }
        }

        /** The hot loop: no allocation. */
        void publish(final int messages, final SubscriberLoop loop)
        {
            final QueuePair[] channels = this.channels;
            final int n = channels.length;
            long posts = 0;
            final long totalPosts = (long)messages * n;
            final int half = messages / 2;
            for (int seq = 0; seq < messages && problem == null; seq++)
            {
                if (seq == half)
                {
                    allocatedAtHalf = ExampleSupport.allocatedBytes();
                }
                payloadBuffer.putLong(SEQ_OFFSET, seq);
                payloadBuffer.putLong(TIME_OFFSET, System.nanoTime());
                payloadBuffer.putDouble(PRICE_OFFSET, 100.0 + (seq % 1000) * 0.01);
                for (int i = 0; i < n && problem == null; i++)
                {
                    posts++;
                    final boolean signaled = posts % SIGNAL_EVERY == 0 || posts == totalPosts;
                    wr.clear().wrId(posts).opcode(Opcode.SEND_WITH_IMM).immData(seq)
                        .flags(signaled ? SendFlags.INLINE | SendFlags.SIGNALED : SendFlags.INLINE)
                        .sge(payload, 0, PAYLOAD);
                    post(channels[i], loop);
                    if (signaled)
                    {
                        signaledPosted++;
                    }
                }
                reap();
            }
            final long deadline = System.nanoTime() + STALL_TIMEOUT_NS;
            while (signaledCompleted < signaledPosted && problem == null)
            {
                if (reap() == 0 && System.nanoTime() - deadline > 0)
                {
                    problem = "publisher: " + (signaledPosted - signaledCompleted) + " signaled sends never completed";
                }
            }
        }

        private void post(final QueuePair channel, final SubscriberLoop loop)
        {
            long stalledSince = 0;
            int rc;
            while ((rc = ssq.postSend(channel, wr)) == Errors.ENOMEM)
            {
                // The SSQ is full: let the engine run (an empty poll runs a duty cycle) and reap completions.
                if (reap() > 0)
                {
                    stalledSince = 0;
                }
                else if (stalledSince == 0)
                {
                    stalledSince = System.nanoTime();
                }
                else if (System.nanoTime() - stalledSince > STALL_TIMEOUT_NS || loop.problem != null)
                {
                    problem = "publisher: SSQ full and nothing completes";
                    return;
                }
            }
            if (rc != 0)
            {
                errors++;
                problem = "publisher: postSend returned " + Errors.name(rc);
            }
        }

        private int reap()
        {
            ctx.progress();
            final int got = sendCq.poll(completions);
            for (int k = 0; k < got; k++)
            {
                final WorkCompletion wc = completions[k];
                if (wc.status() != WcStatus.SUCCESS)
                {
                    errors++;
                    if (problem == null)
                    {
                        problem = "publisher: send completion " + wc;
                    }
                }
                else
                {
                    signaledCompleted++;
                }
            }
            return got;
        }
    }

    /** A subscriber: its own device, one QP, a ring of receive buffers, and its order check. */
    static final class Subscriber
    {
        final Context ctx;
        final CompletionQueue cq;
        final QueuePair qp;
        final MemoryRegion buffers;
        final AtomicBuffer view;
        final RecvWorkRequest recv = new RecvWorkRequest();
        final int messages;
        long expected;
        long received;
        long errors;
        String problem;

        Subscriber(final Context ctx, final int messages)
        {
            this.ctx = ctx;
            this.messages = messages;
            final ProtectionDomain pd = ctx.allocPd();
            cq = ctx.createCq(RECV_DEPTH * 2);
            qp = pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).maxSendWr(1).maxRecvWr(RECV_DEPTH)
                .maxRecvSge(1).build());
            buffers = pd.allocateMemory((long)RECV_DEPTH * PAYLOAD, Access.LOCAL_WRITE);
            view = buffers.buffer();
        }

        void postAllReceives()
        {
            for (int slot = 0; slot < RECV_DEPTH; slot++)
            {
                repost(slot);
            }
        }

        private void repost(final int slot)
        {
            final int rc = qp.postRecv(recv.clear().wrId(slot).sge(buffers, (long)slot * PAYLOAD, PAYLOAD));
            if (rc != 0)
            {
                fail("postRecv returned " + Errors.name(rc));
            }
        }

        /** Checks one receive completion: SUCCESS, RECV with immediate, the next sequence number, matching payload. */
        void onCompletion(final WorkCompletion wc)
        {
            if (wc.status() != WcStatus.SUCCESS || wc.opcode() != WcOpcode.RECV || !wc.hasImm() ||
                wc.byteLen() != PAYLOAD)
            {
                fail("bad completion " + wc);
                return;
            }
            final int slot = (int)wc.wrId();
            final long seq = wc.immData() & 0xFFFF_FFFFL;
            final long payloadSeq = view.getLong(slot * PAYLOAD + SEQ_OFFSET);
            received++;
            if (seq != expected)
            {
                fail((seq < expected ? "duplicate or reordered" : "gap") + ": expected sequence " + expected +
                    ", got " + seq);
            }
            if (payloadSeq != seq)
            {
                fail("payload sequence " + payloadSeq + " != immediate " + seq);
            }
            expected = seq + 1;
            repost(slot);
        }

        boolean done()
        {
            return received >= messages;
        }

        private void fail(final String what)
        {
            errors++;
            if (problem == null)
            {
                problem = what;
            }
        }
    }

    /** One thread drives every subscriber's engine and checks their completions. */
    static final class SubscriberLoop implements Runnable
    {
        final Subscriber[] subscribers;
        final WorkCompletion[] completions = new WorkCompletion[64];
        volatile String problem;
        volatile long finishedAt;
        volatile boolean publisherFinished;

        SubscriberLoop(final Subscriber[] subscribers)
        {
            this.subscribers = subscribers;
            for (int i = 0; i < completions.length; i++)
            {
                completions[i] = new WorkCompletion();
            }
        }

        @Override
        public void run()
        {
            long lastProgress = System.nanoTime();
            int remaining = subscribers.length;
            final boolean[] finished = new boolean[subscribers.length];
            while (remaining > 0)
            {
                boolean progress = false;
                for (int i = 0; i < subscribers.length; i++)
                {
                    final Subscriber s = subscribers[i];
                    s.ctx.progress(); // INVOKER: this thread runs the subscriber's engine
                    final int got = s.cq.poll(completions);
                    for (int k = 0; k < got; k++)
                    {
                        s.onCompletion(completions[k]);
                    }
                    if (got > 0)
                    {
                        progress = true;
                        if (!finished[i] && s.done())
                        {
                            finished[i] = true;
                            remaining--;
                        }
                    }
                }
                final long now = System.nanoTime();
                if (progress)
                {
                    lastProgress = now;
                }
                else if (publisherFinished && now - lastProgress > TimeUnit.SECONDS.toNanos(1))
                {
                    // Everything the publisher sent has completed; what has not arrived by now never will.
                    problem = remaining + " subscribers incomplete after the publisher finished";
                    break;
                }
                else if (now - lastProgress > STALL_TIMEOUT_NS)
                {
                    problem = "subscribers: no message for " + TimeUnit.NANOSECONDS.toSeconds(STALL_TIMEOUT_NS) +
                        " s, " + remaining + " subscribers incomplete";
                    break;
                }
            }
            finishedAt = System.nanoTime();
        }
    }
}
