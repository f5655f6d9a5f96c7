package io.softverbs.offheap;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;

import io.softverbs.LinePadding;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.engine.Engine;
import io.softverbs.offheap.engine.RequesterContext;
import io.softverbs.offheap.engine.ResponderContext;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.CqRing;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.resource.SoftCq;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.mem.MemTransport;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The padding only works if the JVM lays a subclass's fields out after its superclass's 128 padding bytes; this
 * checks that layout on the JVM the tests run on (JDK 17 and 25 in CI) for the data path's hot classes, the
 * engine's and the work requests and completions an application writes once per operation.
 */
class LinePaddingTest
{
    private static final List<Class<?>> HOT = List.of(SoftQp.class, RequesterContext.class, ResponderContext.class,
        SendRing.class, RecvRing.class, CqRing.class, SoftCq.class, Engine.class, MemTransport.class, Segments.class,
        SendWorkRequest.class, RecvWorkRequest.class, WorkCompletion.class);

    @Test
    void everyHotFieldLiesBeyondThePadding()
    {
        for (final Class<?> type : HOT)
        {
            assertTrue(LinePadding.class.isAssignableFrom(type), type + " is padded");
            for (Class<?> c = type; c != LinePadding.class; c = c.getSuperclass())
            {
                for (final Field field : c.getDeclaredFields())
                {
                    if (!Modifier.isStatic(field.getModifiers()))
                    {
                        final long offset = UnsafeApi.objectFieldOffset(field);
                        assertTrue(offset >= 128, type.getSimpleName() + "." + field.getName() + " at " + offset);
                    }
                }
            }
        }
    }
}
