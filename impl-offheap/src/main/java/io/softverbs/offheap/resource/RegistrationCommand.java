package io.softverbs.offheap.resource;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.engine.ControlCommand;
import org.agrona.UnsafeApi;

/**
 * Memory registration as the control stage runs it: validate the range, pre-fault every page (the software side of
 * pinning, and the expensive part for file-backed or freshly mapped memory), then publish the key. It runs in time
 * slices, so work requests on other memory keep flowing; requests that name the region wait until it is published.
 */
final class RegistrationCommand extends ControlCommand
{
    private static final long PAGE = 4096;

    private final SoftContext context;
    private final SoftMr mr;
    private final AddressSpace mapping;
    private boolean validated;
    private long cursor;
    private long checksum;

    RegistrationCommand(final SoftContext context, final SoftMr mr, final boolean validateMapping)
    {
        this.context = context;
        this.mr = mr;
        this.mapping = validateMapping ? new AddressSpace(mr.address(), mr.length()) : null;
    }

    @Override
    protected boolean step(final long deadlineNs)
    {
        if (mr.state() != SoftMr.PENDING)
        {
            if (mapping != null)
            {
                mapping.close();
            }
            return true; // deregistered while pending
        }
        final long end = mr.address() + mr.length();
        if (!validated)
        {
            final int readable = mapping == null ? AddressSpace.READABLE : mapping.step(deadlineNs);
            if (readable == AddressSpace.MORE)
            {
                return false;
            }
            if (readable == AddressSpace.UNREADABLE)
            {
                return fail("range 0x" + Long.toHexString(mr.address()) + " +" + mr.length() +
                    " is not mapped readable in this process");
            }
            validated = true;
            cursor = mr.address();
        }
        while (cursor < end)
        {
            // A first touch of a file-backed page costs microseconds, far more than reading the clock.
            checksum += UnsafeApi.getByte(cursor);
            cursor = (cursor & -PAGE) + PAGE;
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false; // the rest in the next slice
            }
        }
        if (mr.transition(SoftMr.PENDING, SoftMr.VALID))
        {
            context.engine().wakeStalled();
        }
        return true;
    }

    private boolean fail(final String reason)
    {
        mr.failureReason(reason);
        if (mr.transition(SoftMr.PENDING, SoftMr.FAILED))
        {
            mr.keys().remove(mr);
            context.raise(new AsyncEvent(AsyncEventType.MR_REGISTRATION_ERR, -1,
                "registration of key 0x" + Integer.toHexString(mr.key()) + " failed: " + reason));
            context.engine().wakeStalled();
        }
        return true;
    }

    @Override
    public String toString()
    {
        return "RegistrationCommand{" + mr + ", checksum=" + checksum + '}';
    }
}
