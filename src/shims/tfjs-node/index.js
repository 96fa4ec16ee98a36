// danfojs-node only needs the TensorFlow.js API; hand it the project's copy (see package.json).
module.exports = require("@tensorflow/tfjs");
