#!/usr/bin/env python3
# Where the machine's CPU goes during a benchmark, thread by thread: samples the CPU ticks (1/100 s) of every thread
# of PostgreSQL's processes and of every JVM once a second from /proc, and on SIGTERM writes OUT.json, a list of
# [time, {"process:thread": ticks in that second}] (process: svc = the benchmark JVM, which holds the service;
# neo4j = the embedded Neo4j's JVM; pg = PostgreSQL). Linux only; run it beside one benchmark, e.g.
#   python3 bench/thread-cpu.py /tmp/threads.json & s=$!; bench/run-lanes.sh 200000; kill $s
# bench/results/lanes-threads.md was made this way.
import os,time,sys,re,collections,json
out=sys.argv[1]
def proc_label(pid):
    try:
        cmd=open(f'/proc/{pid}/cmdline','rb').read().replace(b'\0',b' ').decode(errors='replace')
    except Exception: return None
    if 'postgres' in cmd and 'java' not in cmd: return 'pg'
    if 'java' not in cmd: return None
    if 'neo4j' in cmd.lower() and 'Benchmark' not in cmd: return 'neo4j'
    if 'Benchmark' in cmd or 'bench' in cmd: return 'svc'
    return 'java?'
last={}; rows=[]
import signal
def dump(*a):
    json.dump(rows,open(out,'w')); sys.exit(0)
signal.signal(signal.SIGTERM,dump)
labels={}
while True:
    t=time.strftime('%H:%M:%S'); cur=collections.Counter()
    for pid in os.listdir('/proc'):
        if not pid.isdigit(): continue
        if pid not in labels: labels[pid]=proc_label(pid)
        lab=labels[pid]
        if lab is None: continue
        try: tids=os.listdir(f'/proc/{pid}/task')
        except Exception: continue
        for tid in tids:
            try:
                st=open(f'/proc/{pid}/task/{tid}/stat').read()
            except Exception: continue
            name=st[st.index('(')+1:st.rindex(')')]
            f=st[st.rindex(')')+2:].split()
            ticks=int(f[11])+int(f[12])
            k=(pid,tid)
            if k in last:
                d=ticks-last[k]
                if d>0: cur[lab+':'+re.sub(r'\d+','N',name)]+=d
            last[k]=ticks
    rows.append([t,dict(cur)])
    time.sleep(1)
