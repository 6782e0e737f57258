module.exports = {
  // Adds expect(...).toBeSimilarTo and loads ssimkit before the tests.
  setupFilesAfterEnv: ['ssimkit/jest'],
};
