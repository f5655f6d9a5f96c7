package io.softverbs;

/**
 * Provider SPI, found with {@link java.util.ServiceLoader} like a libibverbs provider library
 * ({@code libmlx5}, {@code librxe}). Implementations list themselves in
 * {@code META-INF/services/io.softverbs.VerbsProvider}.
 */
public interface VerbsProvider
{
    /** @return the transport scheme this provider serves, e.g. {@code mem} or {@code udp}. */
    String transport();

    /**
     * @param config the device configuration; its {@link DeviceConfig#transportScheme()} is this provider's.
     * @return an open device.
     */
    Device open(DeviceConfig config);
}
