# Source: sunwuzhou03/reinforcement-learning-lab, sacwalker.py before the fix reported in issue #1
# Bug: issue #1 "MSE warning": F.mse_loss(self.critic_1(states, actions), td_target.detach()) got a
#   critic output of [64, 1] and a TD target of [64, 4] (log_prob was not summed over the 4 action
#   dimensions); PyTorch's UserWarning said the sizes differ; the author fixed it
# Licence of the original: not checked; this file contains no code from it
# Expected: loss-broadcast
# This file is a minimal reproduction written for this corpus of the reported computation (a SAC
# critic update: Q(s, a) of shape [B, 1] against r + gamma * (min Q' - alpha * log_prob) where
# log_prob keeps the per-dimension shape [B, 4]); no code was copied. The Walker environment is
# replaced by random transitions from a replay buffer of fixed tensors.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
S, A, B = 8, 4, 64


class QNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(S + A, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, s, a):
        return self.net(torch.cat([s, a], 1))


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(S, 64), nn.ReLU())
        self.mu, self.log_std = nn.Linear(64, A), nn.Linear(64, A)

    def forward(self, s):
        h = self.body(s)
        dist = torch.distributions.Normal(self.mu(h), self.log_std(h).clamp(-5, 2).exp())
        u = dist.rsample()
        a = torch.tanh(u)
        log_prob = dist.log_prob(u) - torch.log(1 - a.pow(2) + 1e-7)     # [B, A]: not summed
        return a, log_prob


critic_1, target_1, actor = QNet(), QNet(), Policy()
target_1.load_state_dict(critic_1.state_dict())
critic_opt = torch.optim.Adam(critic_1.parameters(), lr=3e-4)
buffer = {"s": torch.randn(1000, S), "a": torch.rand(1000, A) * 2 - 1, "r": torch.randn(1000, 1),
          "s2": torch.randn(1000, S), "done": torch.zeros(1000, 1)}
gamma, alpha, tau = 0.99, 0.2, 0.005
for step in range(30):
    idx = torch.randint(0, 1000, (B,))
    s, a, r, s2, done = (buffer[k][idx] for k in ("s", "a", "r", "s2", "done"))
    with torch.no_grad():
        a2, log_prob = actor(s2)
        td_target = r + gamma * (1 - done) * (target_1(s2, a2) - alpha * log_prob)
    critic_loss = F.mse_loss(critic_1(s, a), td_target.detach())
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()
    with torch.no_grad():
        for p, tp in zip(critic_1.parameters(), target_1.parameters()):
            tp.mul_(1 - tau).add_(tau * p)
    if step % 10 == 0:
        print(f"step {step} critic loss {critic_loss.item():.4f}")
