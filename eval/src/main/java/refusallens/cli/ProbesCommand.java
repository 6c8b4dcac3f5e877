package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.refusal.extract.ActivationStore;
import refusallens.files.Json;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;
import refusallens.probes.Probe;
import refusallens.probes.ProbeExperiment;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.report.CompareReport;
import refusallens.probes.report.ProbeCompare;
import refusallens.probes.report.ReportDiff;
import refusallens.probes.text.PromptTexts;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.LogisticProbe;
import refusallens.probes.train.MlpProbe;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.ViewResolver;
import refusallens.probes.view.ViewSpec;
import refusallens.refusal.FeaturesFile;

/** {@code refusal-lens probes ...}: train, evaluate, compare, show and diff probes on activation stores. */
@Command(
    name = "probes",
    description = "Linear probes on raw activations vs SAE features, and their OOD generalisation.",
    subcommands = {
      ProbesCommand.Train.class,
      ProbesCommand.Evaluate.class,
      ProbesCommand.Compare.class,
      ProbesCommand.Show.class,
      ProbesCommand.Diff.class
    })
public final class ProbesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final ObjectMapper JSON = Json.MAPPER;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Options shared by the commands that train. */
  static final class TrainingOptions {
    @Option(names = "--extract", required = true, description = "Activation store directory (refusal-lens extract --out).")
    Path extract;

    @Option(names = "--features", description = "features.json for f*, fh, fr views (default: <extract>/features.json).")
    Path features;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the split, CV folds, random control, bootstrap; with compare the"
        + " primary seed, whose probes are saved (default ${DEFAULT-VALUE}, as study and eval).")
    long seed;

    /** Shares of the plain prompts held out for validation and the ID test. */
    @CommandLine.Mixin SplitSharesOptions shares = new SplitSharesOptions(0.2, 0.2);

    @Option(names = "--target-fpr", defaultValue = "0.01", description = "FPR on validation that sets the decision threshold (default ${DEFAULT-VALUE}).")
    double targetFpr;

    @Option(names = "--folds", defaultValue = "5", description = "Cross-validation folds for lambda (default ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap resamples of the AUROC CI (default ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--lambdas", split = ",", description = "L2 penalties tried by cross-validation (default 1e-3,...,1e3).")
    List<Double> lambdas;

    ActivationStore store() {
      if (!Files.isDirectory(extract)) throw new IllegalArgumentException("--extract " + extract + ": not a directory");
      return ActivationStore.open(extract);
    }

    ViewResolver resolver(ActivationStore store) {
      return new ViewResolver(store, featuresFile(), seed);
    }

    /** features.json, or null when there is none. */
    FeaturesFile featuresFile() {
      Path f = features != null ? features : extract.resolve("features.json");
      if (features != null && !Files.isRegularFile(features)) {
        throw new IllegalArgumentException("--features " + features + ": no such file");
      }
      return Files.isRegularFile(f) ? FeaturesFile.read(f) : null;
    }

    String featuresPath() {
      Path f = features != null ? features : extract.resolve("features.json");
      return Files.isRegularFile(f) ? f.toString() : null;
    }

    DataSplit.Fractions fractions() {
      return new DataSplit.Fractions(shares.val, shares.test);
    }

    ProbeTrainer.Options train(ProbeKind kind) {
      List<Double> grid = lambdas == null || lambdas.isEmpty() ? LogisticProbe.DEFAULT_LAMBDAS : lambdas;
      for (double l : grid) if (!(l > 0)) throw new IllegalArgumentException("--lambdas: " + l + " must be > 0");
      return new ProbeTrainer.Options(kind, grid, folds, 1.0, MlpProbe.Options.defaults(), targetFpr, seed);
    }
  }

  static void printMetrics(java.io.PrintWriter out, Map<String, BinaryMetrics> metrics) {
    out.printf("%-28s %6s %8s %16s %8s %10s %6s%n", "set", "n", "AUROC", "95% CI", "acc", "TPR@1%FPR", "ECE");
    metrics.forEach((k, m) -> out.printf("%-28s %6d %8s %16s %8s %10s %6s%n", k, m.n(), CompareReport.fmt(m.auroc()),
        CompareReport.fmt(m.aurocCi()), CompareReport.fmt(m.accuracy()), CompareReport.fmt(m.tprAt1Fpr()), CompareReport.fmt(m.ece())));
  }

  /** {@code probes train}. */
  @Command(name = "train", description = "Train one probe on plain harmful vs harmless prompts and save probe.json.")
  static final class Train implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin TrainingOptions opts;

    @Option(names = "--view", required = true, description = "View spec: raw:L, raw:best, sae:L, f*, fh, fr, fh+fr, random(fh+fr), a+b, with @position.")
    String view;

    // no picocli default: it would overwrite what the hidden --model alias set
    @Option(names = "--classifier", description = "logistic, svm or mlp (default logistic).")
    String classifier;

    /** The old name of --classifier ('--model' means a checkpoint directory everywhere else): kept for scripts. */
    @Option(names = "--model", hidden = true, description = "Deprecated: use --classifier.")
    void legacyClassifier(String value) {
      classifier = value;
    }

    @Option(names = "--out", required = true, description = "Probe file to write.")
    Path out;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      TrainingOptions o = opts;
      ActivationStore store = o.store();
      ProbeKind kind = ProbeKind.parse(classifier == null ? "logistic" : classifier);
      DataSplit split = DataSplit.of(store.rows(), o.fractions(), o.seed);
      var r = ProbeExperiment.run(store, o.resolver(store), view, split, o.train(kind), o.bootstrap);
      r.probe().save(out);
      System.err.println("wrote " + out + " (" + r.probe().view().resolved() + ", " + r.probe().width() + " columns)");
      if (jsonOption.json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("probe", out.toString());
        doc.put("view", r.probe().view().resolved());
        doc.put("lambda", r.probe().lambda());
        doc.put("threshold", r.probe().threshold());
        doc.put("metrics", r.probe().metrics());
        CliJson.print(spec.commandLine().getOut(), doc);
      } else {
        printMetrics(spec.commandLine().getOut(), r.probe().metrics());
      }
      return 0;
    }
  }

  /** {@code probes evaluate}. */
  @Command(name = "evaluate",
      description = "Evaluate a saved probe on an activation store: its held-out split if it is the training store,"
          + " else all of it (plain prompts as ID, each attack as OOD).")
  static final class Evaluate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--probe", required = true, description = "probe.json")
    Path probe;

    @Option(names = "--extract", required = true, description = "Activation store directory.")
    Path extract;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap resamples (default ${DEFAULT-VALUE}).")
    int bootstrap;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      Probe p = Probe.load(probe);
      ActivationStore store = ActivationStore.open(extract);
      p.view().checkCompatible(store.header().model(), store.header().sae(), probe + " against " + extract);
      boolean same = p.provenance() != null && store.manifestHash().equals(p.provenance().storeManifestHash());
      long seed = p.provenance() == null ? 0 : p.provenance().seed();
      DataSplit split = same
          ? DataSplit.of(store.rows(), p.provenance().split() == null ? DataSplit.Fractions.defaults() : p.provenance().split(), seed)
          : DataSplit.whole(store.rows());
      System.err.println(same ? "training store: evaluating its held-out split" : "new store: evaluating all rows");
      Map<String, BinaryMetrics> m = ProbeExperiment.evaluate(p, probe.toString(), store, split, bootstrap, seed);
      if (jsonOption.json) {
        CliJson.print(spec.commandLine().getOut(), Map.of("probe", probe.toString(), "extract", extract.toString(), "heldOut", same, "metrics", m));
      } else {
        printMetrics(spec.commandLine().getOut(), m);
      }
      return 0;
    }
  }

  /** {@code probes compare}. */
  @Command(name = "compare",
      description = "Train one probe per view on the same leak-free split, repeated over seeds; compare the disentangled view"
          + " with every raw layer and baseline per OOD set (paired bootstrap); write report.json, report.html and probes/*.json.")
  static final class Compare implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin TrainingOptions opts;

    @Option(names = "--views", description = "Comma-separated view specs, e.g. raw:0,raw:1,fr,fh,fh+fr,random(fr),text (default:"
        + " raw at every stored layer, fr, fh, fh+fr, random(<disentangled>), and text when the prompt texts are found).")
    String views;

    @Option(names = "--disentangled", description = "The view compared with raw and the baselines (default: fr, else the first feature-list view).")
    String disentangled;

    @Option(names = "--seeds", split = ",", defaultValue = "0,1,2,3,4",
        description = "Seeds of the repeated split and training; must include --seed (default ${DEFAULT-VALUE}, as study).")
    List<Long> seeds;

    @Option(names = "--data", paramLabel = "DIR|FILE.jsonl", description = "The dataset the store was extracted from (prompt texts"
        + " for the text baseline; default: the store header's dataset path when it exists, else no text baseline).")
    Path data;

    @Option(names = "--classifiers", description = "Comma-separated classifiers: logistic, svm, mlp (default logistic).")
    String models;

    @Option(names = "--models", hidden = true, description = "Deprecated: use --classifiers.")
    void legacyModels(String value) {
      models = value;
    }

    @Option(names = "--out", required = true, description = "Report directory.")
    Path out;

    @CommandLine.Mixin JsonOption jsonOption;

    @CommandLine.Mixin ForceOption forceOption;

    /** What probes compare writes; a directory without an ownership record is one when its report.json is a compare report. */
    static final List<String> OUTPUTS = List.of("report.json", "report.html", "probes");
    static final OutputKind OUTPUT = OutputKind.recognisedBy("probes compare", "report.json", CompareReport.KIND, OUTPUTS);

    @Override
    public Integer call() throws Exception {
      OutputDir dir = OutputDir.open(out, "--out", OUTPUT, forceOption.force, OUTPUTS);
      TrainingOptions o = opts;
      ActivationStore store = o.store();
      FeaturesFile features = o.featuresFile();
      Map<String, String> texts = data != null ? PromptTexts.read(data) : PromptTexts.besideStore(store);
      if (texts != null) PromptTexts.checkCovers(texts, store.rows(), data != null ? "--data " + data : "the store's dataset");
      List<String> specs = views == null ? ProbeCompare.defaultViews(store, features, texts != null) : ViewSpec.splitList(views);
      List<ProbeKind> kinds = new ArrayList<>();
      for (String m : (models == null ? "logistic" : models).split(",")) kinds.add(ProbeKind.parse(m.trim()));
      var options = new ProbeCompare.Options(specs, kinds, o.fractions(), o.train(kinds.get(0)), o.bootstrap, seeds, disentangled);
      var outcome = ProbeCompare.run(store, features, o.featuresPath(), texts, options, System.err::println);
      String[] outputs = OUTPUTS.toArray(String[]::new);
      dir.claim(outputs);
      ProbeCompare.write(outcome, out);
      dir.commit(outputs);
      System.err.println("wrote " + out.resolve("report.json") + " and " + out.resolve("report.html"));
      if (jsonOption.json) {
        spec.commandLine().getOut().println(outcome.report().toJson());
      } else {
        spec.commandLine().getOut().println(outcome.report().finding());
      }
      return 0;
    }
  }

  /** {@code probes show}. */
  @Command(name = "show", description = "Print a probe file's view, model, threshold and metrics.")
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "probe.json")
    Path probe;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() {
      Probe p = Probe.load(probe);
      if (jsonOption.json) {
        spec.commandLine().getOut().println(p.toJson());
        return 0;
      }
      spec.commandLine().getOut().println("probe      " + probe);
      spec.commandLine().getOut().println("view       " + p.view().spec() + " -> " + p.view().resolved() + " (" + p.width() + " columns)");
      spec.commandLine().getOut().println("model      " + p.view().model() + (p.view().sae() == null ? "" : ", SAE " + p.view().sae()));
      spec.commandLine().getOut().println("classifier " + p.probeModel().id() + (p.lambda() == null ? "" : ", lambda " + p.lambda()));
      spec.commandLine().getOut().println("threshold  logit " + p.threshold() + " = P(harmful) " + p.thresholdProbability() + " (target FPR " + p.targetFpr() + " on validation)");
      if (p.provenance() != null) {
        spec.commandLine().getOut().println("trained on " + p.provenance().store() + ", dataset " + p.provenance().dataset() + ", seed " + p.provenance().seed());
      }
      printMetrics(spec.commandLine().getOut(), p.metrics());
      return 0;
    }
  }

  /** {@code probes diff}. */
  @Command(name = "diff",
      description = "Line up two or more compare reports view by view and set by set (differences vs the first, CI overlap).")
  static final class Diff implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "2..*", description = "report.json files")
    List<Path> reports;

    @CommandLine.Mixin JsonOption jsonOption;

    @Option(names = "--html", description = "Also write the diff as an HTML page.")
    Path html;

    @Override
    public Integer call() {
      ReportDiff d = ReportDiff.of(reports);
      d.warnings().forEach(w -> System.err.println("warning: " + w));
      if (html != null) {
        d.toHtml().write(html);
        System.err.println("wrote " + html);
      }
      spec.commandLine().getOut().print(jsonOption.json ? d.toJson() + "\n" : d.toText());
      return 0;
    }
  }
}
