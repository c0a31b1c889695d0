"""The engine: the network, its activations and losses, the optimisers, backprop and the compiled
kernel.
"""
