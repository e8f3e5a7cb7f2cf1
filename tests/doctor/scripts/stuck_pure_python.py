"""Never calls torch: only the doctor's timer signal can stop this loop."""
print("spinning", flush=True)
n = 0
while True:
    n += 1
