# Character-trigram language-ID toy: log_softmax + NLLLoss, with class weights.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
n_lang, n_feat = 4, 64
profiles = torch.rand(n_lang, n_feat) ** 3
lang = torch.multinomial(torch.tensor([0.4, 0.3, 0.2, 0.1]), 2000, replacement=True)
counts = torch.poisson(profiles[lang] * 20)
features = torch.log1p(counts)


class LangID(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(n_feat, 64)
        self.fc2 = nn.Linear(64, n_lang)

    def forward(self, x):
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


model = LangID()
freq = torch.bincount(lang, minlength=n_lang).float()
criterion = nn.NLLLoss(weight=freq.sum() / (n_lang * freq))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(5):
    model.train()
    perm = torch.randperm(len(features))
    for i in range(0, len(features), 100):
        idx = perm[i:i + 100]
        optimizer.zero_grad()
        loss = criterion(model(features[idx]), lang[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(features).argmax(1) == lang).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.3f} acc {acc:.3f}")
