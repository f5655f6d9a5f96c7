package io.softverbs.offheap.transport;

import java.util.function.IntFunction;

import io.softverbs.DeviceConfig;
import io.softverbs.offheap.resource.SoftQp;

/** Makes the transport of each context of a device; a provider supplies one per transport scheme. */
@FunctionalInterface
public interface TransportFactory
{
    /**
     * @param config   the device configuration.
     * @param function the context's function index.
     * @param qps      the device's wire-QPN to QP mapping.
     * @return the context's transport.
     */
    Transport create(DeviceConfig config, int function, IntFunction<SoftQp> qps);
}
