package io.softverbs.offheap.engine;

import java.util.List;

import org.agrona.concurrent.AbstractConcurrentArrayQueue;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Resolves, once, on the thread that builds the first engine, the string constants of the Agrona queue classes the
 * data path uses (the engine's run queue, a completion channel's fired CQs). HotSpot resolves every string of a
 * class on the thread that first asks C2 for one of its methods; a post reaches the run queue only when it cannot
 * execute at once, rarely enough that the asking thread can be an application's inside a measured loop. Each
 * string is resolved by running the argument check that names it, on a scratch queue.
 */
public final class QueueStrings
{
    /** Every string constant of the classes below, resolved here (a test checks the classes hold no other). */
    public static final List<String> RESOLVED = List.of(
        "element cannot be null",
        "Queue is full",
        "Queue is empty",
        "requestedCapacity must be >= 2: requestedCapacity=\u0001",
        // field names, for the offsets AbstractConcurrentArrayQueue's initialiser looks up (run by the first queue)
        "head",
        "tail",
        "sharedHeadCache");

    private static final Object ITEM = new Object();

    static
    {
        resolve(new ManyToOneConcurrentArrayQueue<>(2));
        resolve(new ManyToManyConcurrentArrayQueue<>(2));
        try
        {
            new ManyToManyConcurrentArrayQueue<>(1);
        }
        catch (final IllegalArgumentException expected)
        {
            // its message's recipe is resolved now
        }
    }

    private QueueStrings()
    {
    }

    /** Runs the static initialiser above, once per JVM. */
    public static void resolve()
    {
    }

    private static void resolve(final AbstractConcurrentArrayQueue<Object> queue)
    {
        try
        {
            queue.offer(null);
        }
        catch (final NullPointerException expected)
        {
            // "element cannot be null"
        }
        try
        {
            queue.remove();
        }
        catch (final RuntimeException expected)
        {
            // "Queue is empty"
        }
        try
        {
            while (true)
            {
                queue.add(ITEM);
            }
        }
        catch (final IllegalStateException expected)
        {
            // "Queue is full"
        }
        queue.clear();
    }
}
