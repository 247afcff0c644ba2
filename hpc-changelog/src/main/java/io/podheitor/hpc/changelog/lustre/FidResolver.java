package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns FIDs into the paths that name them now, many at a time. A FID that no longer exists is answered in
 * {@link Resolution#missing()}, not as an error: the object was removed after its record was written.
 */
public interface FidResolver {
    /** The paths of each FID (a file with several hard links has several) and the FIDs that do not exist. */
    Resolution resolve(Collection<Fid> fids) throws IOException;

    /**
     * @param paths for each FID found, its paths (absolute, as bytes)
     * @param missing the FIDs with no path
     */
    record Resolution(Map<Fid, List<byte[]>> paths, Set<Fid> missing) {
        public Resolution {
            Objects.requireNonNull(paths, "paths");
            Objects.requireNonNull(missing, "missing");
        }
    }
}
