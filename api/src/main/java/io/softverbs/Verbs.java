package io.softverbs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Entry point: opens devices through the providers {@link ServiceLoader} finds. The counterpart of
 * {@code ibv_get_device_list} + {@code ibv_open_device}.
 */
public final class Verbs
{
    private static volatile List<VerbsProvider> providers;

    private Verbs()
    {
    }

    /**
     * @param config what to open.
     * @return the open device; close it when done.
     * @throws VerbsException ENODEV if no provider serves the transport, or the provider's own error.
     */
    public static Device open(final DeviceConfig config)
    {
        final String scheme = config.transportScheme();
        for (final VerbsProvider provider : providers())
        {
            if (provider.transport().equals(scheme))
            {
                return provider.open(config);
            }
        }
        throw new VerbsException(Errors.ENODEV, "no provider for transport '" + config.transport() +
            "' (found: " + transports() + "); is the implementation jar on the class path?");
    }

    /** @return the transport schemes of the providers found, e.g. {@code [mem]}. */
    public static List<String> transports()
    {
        final List<String> names = new ArrayList<>();
        for (final VerbsProvider provider : providers())
        {
            names.add(provider.transport());
        }
        return Collections.unmodifiableList(names);
    }

    private static List<VerbsProvider> providers()
    {
        List<VerbsProvider> found = providers;
        if (found == null)
        {
            final List<VerbsProvider> list = new ArrayList<>();
            for (final VerbsProvider provider : ServiceLoader.load(VerbsProvider.class, Verbs.class.getClassLoader()))
            {
                list.add(provider);
            }
            found = Collections.unmodifiableList(list);
            providers = found;
        }
        return found;
    }
}
