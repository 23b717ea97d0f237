package dev.deltasync.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.ParseException;

/** The {@code deltasync} entry point: picks the subcommand, maps every outcome to an {@link ExitCode}. */
public final class Main {
    private final Map<String, Command> commands = new LinkedHashMap<>();

    Main(List<Command> commands) {
        commands.forEach(c -> this.commands.put(c.name(), c));
    }

    static Main standard() {
        return new Main(List.of(new ServeCommand(), new PushCommand(), new PullCommand(), new StatusCommand(),
                new DemoCommand(), new HashBenchCommand(), new KeygenCommand(), new VersionCommand()));
    }

    public static void main(String[] args) {
        int code = standard().run(args, Io.system());
        System.out.flush();
        System.exit(code);
    }

    /** Runs one invocation; never throws, never exits (tests drive this directly). */
    int run(String[] typed, Io io) {
        String[] args = globalOptionsAfterTheCommand(typed);
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            io.out().print(overview());
            return args.length == 0 ? ExitCode.USAGE.code() : ExitCode.OK.code();
        }
        Command command = commands.get(VersionCommand.ALIASES.contains(args[0]) ? "version" : args[0]);
        if (command == null) {
            io.err().println("deltasync: unknown command '" + args[0] + "'; commands: "
                    + String.join(", ", commands.keySet()) + " (try deltasync --help)");
            return ExitCode.USAGE.code();
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        boolean debug = Arrays.asList(rest).contains("--debug");
        try {
            CommandLine line = ConfigFile.applyTo(command, new DefaultParser().parse(command.options(), rest), rest);
            if (line.hasOption(Command.HELP)) {
                io.out().print(help(command));
                return ExitCode.OK.code();
            }
            return command.run(line, io).code();
        } catch (ParseException e) {
            io.err().println("deltasync " + command.name() + ": " + e.getMessage()
                    + " (try deltasync " + command.name() + " --help)");
            return ExitCode.USAGE.code();
        } catch (CliException e) {
            io.err().println("deltasync " + command.name() + ": " + e.getMessage());
            if (debug && e.getCause() != null) {
                e.printStackTrace(io.err());
            }
            return e.exitCode().code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.err().println("deltasync " + command.name() + ": interrupted");
            return ExitCode.FAILURE.code();
        } catch (Exception e) {
            io.err().println("deltasync " + command.name() + ": internal error: " + e
                    + (debug ? "" : " (run with --debug for the stack trace)"));
            if (debug) {
                e.printStackTrace(io.err());
            }
            return ExitCode.INTERNAL.code();
        }
    }

    /**
     * {@code deltasync --debug pull ...} as {@code deltasync pull --debug ...}: an option every command has
     * may come before the command's name.
     */
    static String[] globalOptionsAfterTheCommand(String[] args) {
        int leading = 0;
        while (leading < args.length && args[leading].equals("--" + Command.DEBUG.getLongOpt())) {
            leading++;
        }
        if (leading == 0) {
            return args;
        }
        if (leading == args.length) {
            return new String[0];
        }
        List<String> reordered = new ArrayList<>();
        reordered.add(args[leading]);
        reordered.addAll(Arrays.asList(args).subList(0, leading));
        reordered.addAll(Arrays.asList(args).subList(leading + 1, args.length));
        return reordered.toArray(String[]::new);
    }

    private String overview() {
        StringBuilder text = new StringBuilder();
        text.append("deltasync: keeps a large memory region (an mmaped file) identical on two machines,\n")
                .append("sending only the chunks that changed.\n\nUsage: deltasync COMMAND [options]\n\nCommands:\n");
        commands.values().forEach(c -> text.append(String.format("  %-12s %s%n", c.name(), c.summary())));
        text.append("\nRun 'deltasync COMMAND --help' for a command's options and examples.\n\nExit codes:\n");
        for (ExitCode code : ExitCode.values()) {
            text.append(String.format("  %d  %s%n", code.code(), code.meaning()));
        }
        return text.toString();
    }

    static String help(Command command) {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text);
        HelpFormatter formatter = HelpFormatter.builder().setShowSince(false).get();
        writer.println("Usage: deltasync " + command.name() + " " + command.synopsis());
        writer.println();
        writer.println(command.description().strip());
        writer.println();
        writer.println("Options:");
        formatter.printOptions(writer, 100, command.options(), 2, 3);
        writer.flush();
        return text.toString();
    }
}
