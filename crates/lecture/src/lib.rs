//! The backpropagation lecture network on the `autodiff` engine.
