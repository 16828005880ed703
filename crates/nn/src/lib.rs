//! Small neural networks on the `autodiff` engine.
