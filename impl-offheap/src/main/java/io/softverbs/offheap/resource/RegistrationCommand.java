package io.softverbs.offheap.resource;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.engine.ControlCommand;

/**
 * Memory registration as the control stage runs it: the {@link Prefaulter} validates the range and pre-faults every
 * page (the software side of pinning, and the expensive part for file-backed or freshly mapped memory) on its own
 * thread; the control stage looks once per cycle whether it has finished, then publishes the key (or fails it) on
 * the engine. Work requests on other memory keep flowing; requests that name the region wait until it is published.
 */
final class RegistrationCommand extends ControlCommand
{
    private final SoftContext context;
    private final SoftMr mr;
    private final boolean validateMapping;
    private Prefaulter.Job job;

    RegistrationCommand(final SoftContext context, final SoftMr mr, final boolean validateMapping)
    {
        this.context = context;
        this.mr = mr;
        this.validateMapping = validateMapping;
    }

    @Override
    protected boolean step()
    {
        if (job == null)
        {
            job = Prefaulter.submit(mr, validateMapping);
            return false;
        }
        switch (job.result)
        {
            case Prefaulter.Job.RUNNING:
                return false;
            case Prefaulter.Job.UNMAPPED:
                return fail("range 0x" + Long.toHexString(mr.address()) + " +" + mr.length() +
                    " is not mapped readable in this process");
            case Prefaulter.Job.DONE:
                if (mr.transition(SoftMr.PENDING, SoftMr.VALID))
                {
                    context.engine().wakeStalled();
                }
                return true;
            default:
                return true; // deregistered while pending; deregistration woke the stalled QPs
        }
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
        return "RegistrationCommand{" + mr + '}';
    }
}
