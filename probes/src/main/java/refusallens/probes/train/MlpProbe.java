package refusallens.probes.train;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The non-linear baseline: a one-hidden-layer ReLU MLP trained full-batch with Adam (Deeplearning4j). */
public final class MlpProbe {
  /** MLP hyper-parameters. */
  public record Options(int hidden, int epochs, double learningRate, double l2) {
    public Options {
      if (hidden < 1) throw new IllegalArgumentException("MLP hidden units must be >= 1");
      if (epochs < 1) throw new IllegalArgumentException("MLP epochs must be >= 1");
      if (!(learningRate > 0)) throw new IllegalArgumentException("MLP learning rate must be > 0");
      if (!(l2 >= 0)) throw new IllegalArgumentException("MLP l2 must be >= 0");
    }

    /** 32 hidden units, 300 epochs, learning rate 0.01, l2 1e-3. */
    public static Options defaults() {
      return new Options(32, 300, 0.01, 1e-3);
    }
  }

  private MlpProbe() {}

  /** Fits on standardised rows (labels 0/1); deterministic for a seed. */
  public static MlpModel fit(double[][] z, int[] labels, Options o, long seed) {
    LogisticProbe.checkBinary(labels);
    int p = z[0].length;
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.DOUBLE)
            .updater(new Adam(o.learningRate()))
            .l2(o.l2())
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(new DenseLayer.Builder().nIn(p).nOut(o.hidden()).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                    .nIn(o.hidden())
                    .nOut(1)
                    .activation(Activation.SIGMOID)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    double[][] y = new double[labels.length][1];
    for (int i = 0; i < labels.length; i++) y[i][0] = labels[i];
    DataSet data = new DataSet(Nd4j.create(z), Nd4j.create(y));
    for (int e = 0; e < o.epochs(); e++) net.fit(data);
    INDArray w0 = net.getLayer(0).getParam("W"); // [p, h]
    INDArray b0 = net.getLayer(0).getParam("b"); // [1, h]
    INDArray w1 = net.getLayer(1).getParam("W"); // [h, 1]
    INDArray b1 = net.getLayer(1).getParam("b"); // [1, 1]
    double[][] hiddenWeights = w0.transpose().toDoubleMatrix(); // [h, p]
    double[] hiddenBias = b0.toDoubleVector();
    double[] outputWeights = w1.toDoubleVector();
    return new MlpModel(hiddenWeights, hiddenBias, outputWeights, b1.getDouble(0));
  }
}
