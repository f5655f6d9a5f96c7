package io.softverbs.offheap.transport.mem;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

import io.softverbs.Errors;
import io.softverbs.VerbsException;
import io.softverbs.offheap.resource.SoftQp;

/** The in-process "network": mem devices by name, each with its wire-QPN to QP mapping. */
public final class MemFabric
{
    /** Address scheme prefix. */
    public static final String SCHEME = "mem://";

    private static final ConcurrentHashMap<String, IntFunction<SoftQp>> DEVICES = new ConcurrentHashMap<>();

    private MemFabric()
    {
    }

    /**
     * @param name     device name.
     * @param resolver the device's QPN to QP mapping.
     */
    public static void attach(final String name, final IntFunction<SoftQp> resolver)
    {
        if (DEVICES.putIfAbsent(name, resolver) != null)
        {
            throw new VerbsException(Errors.EBUSY, "a mem device named '" + name + "' is already open in this JVM");
        }
    }

    /** @param name device name. */
    public static void detach(final String name)
    {
        DEVICES.remove(name);
    }

    static SoftQp resolve(final String address, final int qpn)
    {
        if (address == null || !address.startsWith(SCHEME))
        {
            throw new VerbsException(Errors.EINVAL, "not a mem address: " + address);
        }
        final IntFunction<SoftQp> resolver = DEVICES.get(address.substring(SCHEME.length()));
        if (resolver == null)
        {
            throw new VerbsException(Errors.EINVAL, "no mem device at " + address);
        }
        final SoftQp qp = resolver.apply(qpn);
        if (qp == null)
        {
            throw new VerbsException(Errors.EINVAL, "no QP " + qpn + " at " + address);
        }
        return qp;
    }
}
