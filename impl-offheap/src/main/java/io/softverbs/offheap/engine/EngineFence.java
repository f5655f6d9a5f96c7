package io.softverbs.offheap.engine;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The deregistration fence (RCU-style). Every engine in the JVM marks its duty cycles odd while it runs; memory
 * checks and the copies they guard happen inside one cycle. After a region is made invalid, {@link #await()} waits
 * until every engine that was inside a cycle has left it, so no copy that passed the old check is still running.
 * Engines of any device count, since the mem transport lets one device's engine copy another's memory.
 */
public final class EngineFence
{
    private static final CopyOnWriteArrayList<FenceMember> MEMBERS = new CopyOnWriteArrayList<>();

    private EngineFence()
    {
    }

    /** @param member a thread that touches registered memory. */
    public static void register(final FenceMember member)
    {
        MEMBERS.add(member);
    }

    /** @param member a member that no longer runs. */
    public static void unregister(final FenceMember member)
    {
        MEMBERS.remove(member);
    }

    /** Waits until every engine has finished the cycle it was in when this was called. */
    public static void await()
    {
        for (final FenceMember member : MEMBERS)
        {
            member.awaitCycleBoundary();
        }
    }
}
