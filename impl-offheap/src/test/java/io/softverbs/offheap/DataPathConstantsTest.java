package io.softverbs.offheap;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.softverbs.offheap.engine.QueueStrings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HotSpot resolves every string constant of a class, in the thread that first asks for one of the class's methods
 * to be compiled by C2 (CompileBroker::compile_method). A string that the class's running code never loaded (an
 * error message) is then allocated on that thread, which on the data path is an application thread inside its
 * polling or posting loop: write_bw showed 192 bytes in about half of its runs, from two messages of SoftCq. So
 * the classes whose methods run per operation keep their text in nested classes, which have constant pools of
 * their own. Allowed are only strings that are resolved when the class is initialised: the names of its own
 * fields (VarHandle lookups in static initialisers) and the values of its string constants.
 */
class DataPathConstantsTest
{
    /** Agrona's buffer types, whose accessors hold error-message recipes in their classes' constant pools. */
    private static final Set<String> AGRONA_BUFFERS = Set.of("org/agrona/DirectBuffer",
        "org/agrona/MutableDirectBuffer", "org/agrona/AbstractMutableDirectBuffer",
        "org/agrona/concurrent/AtomicBuffer", "org/agrona/concurrent/UnsafeBuffer",
        "org/agrona/ExpandableArrayBuffer", "org/agrona/ExpandableDirectByteBuffer");

    /** Classes with methods that run on every post, poll or engine cycle. */
    private static final List<String> DATA_PATH = List.of(
        "io.softverbs.offheap.SoftContext",
        "io.softverbs.offheap.SoftDevice",
        "io.softverbs.offheap.engine.ControlStage",
        "io.softverbs.WorkCompletion",
        "io.softverbs.SendWorkRequest",
        "io.softverbs.RecvWorkRequest",
        "io.softverbs.offheap.resource.SoftCq",
        "io.softverbs.offheap.resource.SoftQp",
        "io.softverbs.offheap.resource.SoftSrq",
        "io.softverbs.offheap.resource.SoftMr",
        "io.softverbs.offheap.resource.KeyTable",
        "io.softverbs.offheap.resource.WqeWriter",
        "io.softverbs.offheap.host.RingLock",
        "io.softverbs.offheap.engine.Engine",
        "io.softverbs.offheap.engine.Schedulable",
        "io.softverbs.offheap.engine.Requester",
        "io.softverbs.offheap.engine.RequesterContext",
        "io.softverbs.offheap.engine.Responder",
        "io.softverbs.offheap.engine.ResponderContext",
        "io.softverbs.offheap.engine.Completer",
        "io.softverbs.offheap.engine.Segments",
        "io.softverbs.offheap.engine.PostedRequest",
        "io.softverbs.offheap.host.DeviceBuffer",
        "io.softverbs.offheap.host.CqRing",
        "io.softverbs.offheap.host.RecvRing",
        "io.softverbs.offheap.host.SendRing",
        "io.softverbs.offheap.transport.WqeRequest",
        "io.softverbs.offheap.transport.mem.MemTransport",
        "io.softverbs.offheap.transport.mem.MemLink",
        "io.softverbs.offheap.transport.mem.MemLane",
        "io.softverbs.offheap.transport.mem.MemInboundRequest",
        // run per operation too (post lists, shared send queues, enums read on every completion, DEDICATED idling)
        "io.softverbs.PostLists",
        "io.softverbs.Opcode",
        "io.softverbs.WcStatus",
        "io.softverbs.WcOpcode",
        "io.softverbs.SendFlags",
        "io.softverbs.offheap.resource.SoftSsq",
        "io.softverbs.offheap.resource.SoftChannel",
        "io.softverbs.offheap.engine.SsqState",
        "io.softverbs.offheap.engine.Psn",
        "io.softverbs.offheap.engine.IbTimers",
        "io.softverbs.offheap.engine.EngineFence",
        "io.softverbs.offheap.engine.WakeableIdleStrategy",
        "io.softverbs.offheap.host.RingCursor",
        "io.softverbs.offheap.host.WqeLayout",
        "io.softverbs.offheap.transport.Syndrome",
        "io.softverbs.offheap.transport.InboundRequest",
        "io.softverbs.offheap.transport.mem.MemRequest");

    @Test
    void dataPathClassesHoldNoStringResolvedLater() throws IOException
    {
        final List<String> offenders = new ArrayList<>();
        for (final String name : DATA_PATH)
        {
            final ClassFileStrings strings = ClassFileStrings.read(name);
            for (final String value : strings.constants)
            {
                if (!strings.resolvedAtInit.contains(value))
                {
                    offenders.add(name + ": \"" + value + "\"");
                }
            }
        }
        assertEquals(List.of(), offenders, "string constants of data-path classes belong in a nested class");
    }

    /**
     * The same mechanism reaches Agrona's buffer classes, whose constant pools hold the recipes of their error
     * messages: a data-path method that calls an Agrona buffer accessor (get, put, putBytes) makes it a compilation
     * of its own while the caller is not yet compiled by C2, and the thread that asks for it allocates those strings.
     * A write_bw run showed it after its warm-up: about 600 bytes on the polling thread, from
     * {@code AbstractMutableDirectBuffer.putBytes} under {@code WorkCompletion.copyFrom}. So data-path classes read
     * and write memory with {@code UnsafeApi} (strings resolved when it is initialised) on bounds they checked, and
     * call an Agrona buffer only to create or wrap one, or for the accessors HotSpot compiles as trivial (never by C2).
     */
    @Test
    void dataPathClassesCallNoAgronaBufferAccessor() throws IOException
    {
        final Set<String> allowed = Set.of("<init>", "wrap", "capacity", "byteArray", "addressOffset");
        final List<String> offenders = new ArrayList<>();
        for (final String name : DATA_PATH)
        {
            for (final String call : ClassFileStrings.read(name).calls)
            {
                final String owner = call.substring(0, call.indexOf('.'));
                final String method = call.substring(call.indexOf('.') + 1);
                if (AGRONA_BUFFERS.contains(owner) && !allowed.contains(method))
                {
                    offenders.add(name + " calls " + call);
                }
            }
        }
        assertEquals(List.of(), offenders, "Agrona buffer accessors on the data path");
    }

    /**
     * The Agrona queues of the data path are library classes, whose text cannot move into nested classes; the engine
     * resolves their strings when it is built ({@link QueueStrings}). If a new Agrona version adds one, this fails,
     * and {@link QueueStrings} must resolve it too.
     */
    @Test
    void theEngineResolvesEveryStringOfItsQueueClasses() throws IOException
    {
        final List<String> missed = new ArrayList<>();
        for (final String name : List.of("org.agrona.concurrent.AbstractConcurrentArrayQueue",
            "org.agrona.concurrent.ManyToOneConcurrentArrayQueue", "org.agrona.concurrent.ManyToManyConcurrentArrayQueue"))
        {
            final ClassFileStrings strings = ClassFileStrings.read(name);
            for (final String value : strings.constants)
            {
                if (!strings.resolvedAtInit.contains(value) && !QueueStrings.RESOLVED.contains(value))
                {
                    missed.add(name + ": \"" + value + "\"");
                }
            }
        }
        assertEquals(List.of(), missed, "strings of the data path's queue classes that QueueStrings does not resolve");
    }

    @Test
    void theCallCheckSeesACall() throws IOException
    {
        assertTrue(ClassFileStrings.read("io.softverbs.offheap.host.DeviceBuffer").calls
            .contains("org/agrona/concurrent/UnsafeBuffer.wrap"));
    }

    @Test
    void theCheckSeesAStringConstant() throws IOException
    {
        // The nested class that holds SoftCq's text: if the reader missed string constants, the test above would
        // pass for nothing.
        final ClassFileStrings strings = ClassFileStrings.read("io.softverbs.offheap.resource.SoftCq$Text");
        assertTrue(strings.constants.stream().anyMatch(s -> s.contains("completion channel")), strings.constants::toString);
    }

    /** The string constants of one class file, and which of them its initialisation resolves. */
    private static final class ClassFileStrings
    {
        final List<String> constants = new ArrayList<>();
        final Set<String> resolvedAtInit = new HashSet<>();
        /** Methods the class calls, as "owner/Class.name". */
        final Set<String> calls = new HashSet<>();

        static ClassFileStrings read(final String className) throws IOException
        {
            final String resource = className.replace('.', '/') + ".class";
            try (InputStream in = ClassLoader.getSystemResourceAsStream(resource))
            {
                assertNotNull(in, resource);
                return new ClassFileStrings(new DataInputStream(in));
            }
        }

        private ClassFileStrings(final DataInputStream in) throws IOException
        {
            assertEquals(0xCAFEBABE, in.readInt());
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            final int count = in.readUnsignedShort();
            final String[] utf8 = new String[count];
            final int[] stringIndex = new int[count]; // CONSTANT_String entry -> its Utf8 index
            final int[] classIndex = new int[count]; // CONSTANT_Class entry -> its name's Utf8 index
            final int[] nameIndex = new int[count]; // CONSTANT_NameAndType entry -> its name's Utf8 index
            final int[][] methodRefs = new int[count][]; // (Interface)Methodref -> {class, name and type}
            for (int i = 1; i < count; i++)
            {
                final int tag = in.readUnsignedByte();
                switch (tag)
                {
                    case 1: utf8[i] = in.readUTF(); break;
                    case 8: stringIndex[i] = in.readUnsignedShort(); break;
                    case 7: classIndex[i] = in.readUnsignedShort(); break;
                    case 12: nameIndex[i] = in.readUnsignedShort(); in.readUnsignedShort(); break;
                    case 10: case 11: methodRefs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()}; break;
                    case 16: case 19: case 20: in.readUnsignedShort(); break;
                    case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
                    case 3: case 4: case 9: case 17: case 18: in.readInt(); break;
                    case 5: case 6: in.readLong(); i++; break; // eight-byte constants take two entries
                    default: throw new IOException("constant pool tag " + tag);
                }
            }
            for (int i = 1; i < count; i++)
            {
                if (stringIndex[i] != 0)
                {
                    constants.add(utf8[stringIndex[i]]);
                }
                if (methodRefs[i] != null)
                {
                    calls.add(utf8[classIndex[methodRefs[i][0]]] + "." + utf8[nameIndex[methodRefs[i][1]]]);
                }
            }
            in.readUnsignedShort(); // access
            in.readUnsignedShort(); // this
            in.readUnsignedShort(); // super
            in.skipBytes(2 * in.readUnsignedShort()); // interfaces
            for (int fields = in.readUnsignedShort(); fields > 0; fields--)
            {
                in.readUnsignedShort(); // access
                resolvedAtInit.add(utf8[in.readUnsignedShort()]); // a name a static initialiser may look up
                in.readUnsignedShort(); // descriptor
                for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--)
                {
                    final String attribute = utf8[in.readUnsignedShort()];
                    final int length = in.readInt();
                    if ("ConstantValue".equals(attribute))
                    {
                        final int value = in.readUnsignedShort();
                        if (stringIndex[value] != 0)
                        {
                            resolvedAtInit.add(utf8[stringIndex[value]]); // set when the class is prepared
                        }
                    }
                    else
                    {
                        in.skipBytes(length);
                    }
                }
            }
        }
    }
}
