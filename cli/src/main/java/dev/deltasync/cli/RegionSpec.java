package dev.deltasync.cli;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.PeerAccess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code serve --region NAME=PATH[:ro|:rw]}; read-only unless {@code :rw}, so nothing is writable by
 * accident. Also {@code --allow NAME=pull:FP|NAME=push:FP} and {@code --require-blake3 NAME}, which refine regions.
 */
final class RegionSpec {
    /** What looks like a mistyped access mark after the path (":rx", ":w", ":wr"); "x=/data/a:b" stays a path. */
    private static final Pattern ACCESS_SUFFIX = Pattern.compile(":([rwoxRWOX]{1,3})$");

    private RegionSpec() {}

    /** One {@code --allow}: {@code peer} may pull {@code region}, and push into it when {@code push}. */
    record Grant(String region, boolean push, Fingerprint peer) { }

    static ExposedRegion parse(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0 || equals == text.length() - 1) {
            throw CliException.usage("--region takes NAME=PATH[:ro|:rw], e.g. vm=/var/lib/vm/disk.img:rw, not '"
                    + text + "'");
        }
        String name = text.substring(0, equals);
        String path = text.substring(equals + 1);
        boolean marked = path.endsWith(":rw") || path.endsWith(":ro");
        Matcher access = ACCESS_SUFFIX.matcher(path);
        if (!marked && access.find()) {
            throw CliException.usage("--region " + text + ": unknown access '" + access.group(1)
                    + "' after the path: use :ro (read-only, the default) or :rw");
        }
        boolean readOnly = !path.endsWith(":rw");
        String file = marked ? path.substring(0, path.length() - 3) : path;
        return Command.orUsageError(() -> new ExposedRegion(name, Path.of(file), readOnly));
    }

    static Grant parseAllow(String text) {
        int equals = text.indexOf('=');
        int colon = text.indexOf(':', equals + 1);
        String mode = equals > 0 && colon > equals ? text.substring(equals + 1, colon) : "";
        if (!mode.equals("pull") && !mode.equals("push")) {
            throw CliException.usage("--allow takes NAME=pull:FP or NAME=push:FP (push includes pull), e.g."
                    + " vm=push:SHA256:3f2a..., not '" + text + "'");
        }
        return new Grant(text.substring(0, equals), mode.equals("push"),
                SecurityOptions.parseFingerprint(text.substring(colon + 1), "--allow " + text.substring(0, colon)));
    }

    /**
     * Applies {@code --allow} grants (a region with any grant is visible to its grantees only) and
     * {@code --require-blake3} names; either naming a region not served is a usage error.
     */
    static List<ExposedRegion> withPolicies(List<ExposedRegion> regions, List<Grant> grants, List<String> blake3,
                                            List<String> resizable) {
        Map<String, ExposedRegion> byName = new LinkedHashMap<>();
        for (ExposedRegion region : regions) {
            if (byName.put(region.name(), region) != null) {
                throw CliException.usage("region '" + region.name() + "' is given twice (each --region needs its own NAME)");
            }
        }
        Map<String, Set<Fingerprint>> pullers = new LinkedHashMap<>();
        Map<String, Set<Fingerprint>> pushers = new LinkedHashMap<>();
        for (Grant grant : grants) {
            requireServed(byName, grant.region(), "--allow");
            pullers.computeIfAbsent(grant.region(), k -> new HashSet<>());
            pushers.computeIfAbsent(grant.region(), k -> new HashSet<>());
            (grant.push() ? pushers : pullers).get(grant.region()).add(grant.peer());
        }
        for (String name : blake3) {
            requireServed(byName, name, "--require-blake3");
        }
        for (String name : resizable) {
            requireServed(byName, name, "--allow-resize");
        }
        List<ExposedRegion> result = new ArrayList<>();
        for (ExposedRegion region : regions) {
            ExposedRegion refined = region.withRequireBlake3(blake3.contains(region.name()))
                    .withResizable(resizable.contains(region.name()));
            if (pullers.containsKey(region.name())) {
                refined = refined.withAccess(PeerAccess.only(pullers.get(region.name()), pushers.get(region.name())));
            }
            result.add(refined);
        }
        return result;
    }

    /** A usage error unless one of {@code regions} is called {@code name}; {@code option} is what named it. */
    static void requireServed(List<ExposedRegion> regions, String name, String option) {
        Map<String, ExposedRegion> byName = new LinkedHashMap<>();
        regions.forEach(region -> byName.put(region.name(), region));
        requireServed(byName, name, option);
    }

    private static void requireServed(Map<String, ExposedRegion> byName, String name, String option) {
        if (!byName.containsKey(name)) {
            throw CliException.usage(option + " names region '" + name + "', which is not served (regions: "
                    + String.join(", ", byName.keySet()) + ")");
        }
    }

    /** How the start-up banner shows who may use a region. */
    static String describeAccess(ExposedRegion region) {
        StringBuilder text = new StringBuilder(region.readOnly() ? "ro" : "rw");
        PeerAccess access = region.access();
        if (!access.anyone()) {
            List<String> pull = access.pullers().stream().map(Fingerprint::toString).sorted().toList();
            List<String> push = access.pushers().stream().map(Fingerprint::toString).sorted().toList();
            if (!push.isEmpty()) {
                text.append("; push+pull: ").append(String.join(" ", push));
            }
            if (!pull.isEmpty()) {
                text.append("; pull: ").append(String.join(" ", pull));
            }
        }
        if (region.requireBlake3()) {
            text.append("; blake3 required");
        }
        return text.toString();
    }
}
