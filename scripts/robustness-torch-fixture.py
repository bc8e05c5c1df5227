# Regenerates test/fixtures/robustness/torch-net.{onnx,json}: a small PyTorch CNN (batch norm, LeakyReLU,
# sigmoid gating, residual add, concat of avg/max pools, strided conv, tanh, GAP, dropout) exported to ONNX, with
# its logits and torch autograd's input gradient of the summed cross-entropy. Run from that folder with a Python
# that has torch and onnx. Not used by tests or the product (they only read the files it wrote).
import torch, torch.nn as nn, torch.nn.functional as F, json, struct
torch.manual_seed(0)
class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 6, 3, padding=1); s.b1 = nn.BatchNorm2d(6)
        s.c2 = nn.Conv2d(6, 6, 3, padding=1); s.b2 = nn.BatchNorm2d(6)
        s.c3 = nn.Conv2d(12, 8, 3, stride=2); s.fc = nn.Linear(8, 10)
    def forward(s, x):
        h = F.leaky_relu(s.b1(s.c1(x)), 0.1)
        r = torch.sigmoid(s.b2(s.c2(h))) * h + h
        h = torch.cat([F.avg_pool2d(r, 2), F.max_pool2d(h, 2)], 1)
        h = torch.tanh(s.c3(h))
        h = F.adaptive_avg_pool2d(h, 1).flatten(1)
        return s.fc(F.dropout(h, 0.5, training=s.training))
m = Net()
# give batch norm non-trivial running statistics, then freeze for inference
m.train()
with torch.no_grad():
    for _ in range(5): m(torch.rand(16, 1, 12, 12))
m.eval()
x = torch.rand(3, 1, 12, 12, requires_grad=True)
y = torch.tensor([3, 7, 1])
logits = m(x)
loss = F.cross_entropy(logits, y, reduction='sum')
g, = torch.autograd.grad(loss, x)
torch.onnx.export(m, (x.detach(),), 'torch-net.onnx', input_names=['input'], output_names=['logits'],
                  dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}}, opset_version=17, dynamo=False, do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
json.dump({'x': x.detach().flatten().tolist(), 'y': y.tolist(), 'logits': logits.detach().flatten().tolist(),
           'grad': g.flatten().tolist(), 'torch': torch.__version__}, open('torch-net.json', 'w'))
print('ok')
