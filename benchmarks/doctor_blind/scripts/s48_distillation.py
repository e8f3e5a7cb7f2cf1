"""Knowledge distillation: a frozen teacher's softened probabilities train a student."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def mlp(width):
    return nn.Sequential(nn.Linear(16, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 4))


def train_teacher(teacher, loader):
    opt = torch.optim.Adam(teacher.parameters(), lr=2e-3)
    for epoch in range(3):
        teacher.train()
        for x, y in loader:
            opt.zero_grad()
            loss = F.cross_entropy(teacher(x), y)
            loss.backward()
            opt.step()
    print(f"teacher loss {loss.item():.3f}")


def distill(student, teacher, loader, T=3.0, alpha=0.7):
    opt = torch.optim.Adam(student.parameters(), lr=3e-3)
    teacher.eval()
    for epoch in range(3):
        student.train()
        for x, y in loader:
            with torch.no_grad():
                soft = F.softmax(teacher(x) / T, dim=1)
            opt.zero_grad()
            logits = student(x)
            soft_loss = F.cross_entropy(logits / T, soft) * T * T
            hard_loss = F.cross_entropy(logits, y)
            loss = alpha * soft_loss + (1 - alpha) * hard_loss
            loss.backward()
            opt.step()
        print(f"student epoch {epoch}: {loss.item():.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(2000, 16)
    y = (x @ torch.randn(16, 4)).argmax(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True)
    teacher, student = mlp(128), mlp(16)
    train_teacher(teacher, loader)
    distill(student, teacher, loader)
    student.eval()
    with torch.no_grad():
        print("student acc", (student(x).argmax(1) == y).float().mean().item())
