package io.softverbs.offheap;

import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.VerbsProvider;
import io.softverbs.offheap.transport.mem.MemFabric;
import io.softverbs.offheap.transport.mem.MemTransport;

/** The {@code mem} provider: soft RNIC devices that reach each other inside this JVM. */
public final class SoftVerbsProvider implements VerbsProvider
{
    @Override
    public String transport()
    {
        return "mem";
    }

    @Override
    public Device open(final DeviceConfig config)
    {
        final SoftDevice device = new SoftDevice(config,
            (cfg, function, qps) -> new MemTransport(cfg.name(), qps));
        try
        {
            MemFabric.attach(config.name(), device::lookupQp);
        }
        catch (final RuntimeException ex)
        {
            device.close();
            throw ex;
        }
        device.onClose(() -> MemFabric.detach(config.name()));
        return device;
    }
}
