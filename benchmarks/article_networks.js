// The article's two networks and training loops, as its vanilla JS wrote them, timed in node.
//
//     node benchmarks/article_networks.js v1|v2 UPDATES ROUNDS
//
// Version 1: 2 -> 4 sigmoid, no hidden layer, lr 0.1, trained on the 4 static centre points.
// Version 2: 2 -> 4 sigmoid -> 4 sigmoid, trained on 2,000 random points (the article's
// "Training Data Size"), with its own train() (the hidden error without the output slope).
// Both pick a random training point per update, as the article's train() loop does.
// The first round warms V8 up (steady state); prints one JSON object with the updates per
// second of every later round, by the wall clock and by the process's CPU time (which a
// loaded machine's other processes do not inflate). Run by benchmarks/bench_article.py.

"use strict";

function sigmoid(x) {
  return 1 / (1 + Math.exp(-x));
}

const LABELS = ["blue", "red", "green", "purple"];

function encode(label) {
  return LABELS.map((name) => (name === label ? 1 : 0));
}

class NeuralNetworkV1 {
  constructor(inputLen, outputLen) {
    this.inputLen = inputLen;
    this.outputLen = outputLen;
    this.weights = Array.from({ length: this.outputLen }, () =>
      Array.from({ length: this.inputLen }, () => Math.random())
    );
    this.bias = Array(this.outputLen).fill(0);
    this.learningRate = 0.1;
  }

  propagate(inputs) {
    const output = new Array(this.outputLen);
    for (let i = 0; i < this.outputLen; i++) {
      output[i] = 0;
      for (let j = 0; j < this.inputLen; j++) {
        output[i] += this.weights[i][j] * inputs[j];
      }
      output[i] += this.bias[i];
      output[i] = this.sigmoid(output[i]);
    }
    return output;
  }

  sigmoid(x) {
    return 1 / (1 + Math.exp(-x));
  }

  train(inputs, target) {
    const output = this.propagate(inputs);
    const errors = new Array(this.outputLen);
    for (let i = 0; i < this.outputLen; i++) {
      errors[i] = target[i] - output[i];
      for (let j = 0; j < this.inputLen; j++) {
        this.weights[i][j] += this.learningRate * errors[i] * output[i] * (1 - output[i]) * inputs[j];
      }
      this.bias[i] += this.learningRate * errors[i];
    }
  }
}

class NeuralNetworkV2 {
  constructor(inputSize, hiddenSize, outputSize, learningRate) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.weightsInputToHidden = Array.from({ length: hiddenSize }, () =>
      Array.from({ length: inputSize }, () => Math.random() * 2 - 1)
    );
    this.biasHidden = Array(hiddenSize).fill(0);
    this.weightsHiddenToOutput = Array.from({ length: outputSize }, () =>
      Array.from({ length: hiddenSize }, () => Math.random() * 2 - 1)
    );
    this.biasOutput = Array(outputSize).fill(0);
    this.learningRate = learningRate;
    this.hiddenLayer = new Array(this.hiddenSize);
  }

  train(inputs, target) {
    for (let i = 0; i < this.hiddenSize; i++) {
      this.hiddenLayer[i] = 0;
      for (let j = 0; j < this.inputSize; j++) {
        this.hiddenLayer[i] += this.weightsInputToHidden[i][j] * inputs[j];
      }
      this.hiddenLayer[i] += this.biasHidden[i];
      this.hiddenLayer[i] = sigmoid(this.hiddenLayer[i]);
    }
    const output = new Array(this.outputSize);
    for (let i = 0; i < this.outputSize; i++) {
      output[i] = 0;
      for (let j = 0; j < this.hiddenSize; j++) {
        output[i] += this.weightsHiddenToOutput[i][j] * this.hiddenLayer[j];
      }
      output[i] += this.biasOutput[i];
      output[i] = sigmoid(output[i]);
    }
    const errorsOutput = new Array(this.outputSize);
    const errorsHidden = new Array(this.hiddenSize);
    for (let i = 0; i < this.outputSize; i++) {
      errorsOutput[i] = target[i] - output[i];
      for (let j = 0; j < this.hiddenSize; j++) {
        this.weightsHiddenToOutput[i][j] +=
          this.learningRate * errorsOutput[i] * output[i] * (1 - output[i]) * this.hiddenLayer[j];
      }
      this.biasOutput[i] += this.learningRate * errorsOutput[i];
    }
    for (let i = 0; i < this.hiddenSize; i++) {
      errorsHidden[i] = 0;
      for (let j = 0; j < this.outputSize; j++) {
        errorsHidden[i] += this.weightsHiddenToOutput[j][i] * errorsOutput[j];
      }
      this.biasHidden[i] += this.learningRate * errorsHidden[i];
      for (let j = 0; j < this.inputSize; j++) {
        this.weightsInputToHidden[i][j] +=
          this.learningRate * errorsHidden[i] * this.hiddenLayer[i] * (1 - this.hiddenLayer[i]) * inputs[j];
      }
    }
  }
}

function quadrantLabel(x, y) {
  return LABELS[(y > 0 ? 0 : 2) + (x > 0 ? 0 : 1)];
}

function setup(version) {
  if (version === "v1") {
    const trainingData = [
      { x: 0.5, y: 0.5, label: "blue" },
      { x: -0.5, y: 0.5, label: "red" },
      { x: 0.5, y: -0.5, label: "green" },
      { x: -0.5, y: -0.5, label: "purple" },
    ];
    return { net: new NeuralNetworkV1(2, 4), trainingData };
  }
  const trainingData = Array.from({ length: 2000 }, () => {
    const x = Math.random() * 2 - 1;
    const y = Math.random() * 2 - 1;
    return { x, y, label: quadrantLabel(x, y) };
  });
  return { net: new NeuralNetworkV2(2, 4, 4, 2.0), trainingData };
}

// The article's train(): one randomly chosen training point per update.
function train(net, trainingData, iterations) {
  for (let i = 0; i < iterations; i++) {
    const data = trainingData[Math.floor(Math.random() * trainingData.length)];
    net.train([data.x, data.y], encode(data.label));
  }
}

function main() {
  const [version, updatesText, roundsText] = process.argv.slice(2);
  if (version !== "v1" && version !== "v2") {
    console.error("usage: node article_networks.js v1|v2 UPDATES ROUNDS");
    process.exit(2);
  }
  const updates = Number(updatesText || 2000000);
  const rounds = Number(roundsText || 5);
  const { net, trainingData } = setup(version);
  const wall = [];
  const cpu = [];
  for (let r = 0; r <= rounds; r++) {
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    train(net, trainingData, updates);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpuStarted);
    if (r > 0) {
      // round 0 is the warm-up
      wall.push(updates / seconds);
      cpu.push(updates / ((used.user + used.system) / 1e6));
    }
  }
  console.log(JSON.stringify({ version, node: process.version, updates, wall, cpu }));
}

main();
