// The command centre's messages in its two languages (简体中文 and English), and nothing
// else: the language in use is chosen in locale.js, figures and times are formatted by
// lib/format.js.
export const zh = {
  app: { tagline: '疫情防控指挥', language: '语言', signOut: '退出', offline: '离线', more: '加载更多', apply: '筛选', home: '返回首页' },
  nav: { overview: '城市态势', people: '居民', sampler: '采样', lab: '实验室', audit: '审计日志' },
  role: { admin: '管理员', commander: '指挥', staff: '工作人员', grid_worker: '网格员', sampler: '采样员', lab: '检测人员', operator: '热线接线员', auditor: '审计员' },
  level: { city: '市', district: '区', street: '街道/镇', community: '社区/村', grid: '网格', compound: '小区', building: '楼栋', household: '户' },
  signin: { title: '登录', username: '用户名', password: '密码', submit: '登录', wrong: '用户名或密码错误', throttled: '失败次数过多，请稍后再试', expired: '登录已过期，请重新登录' },
  err: { network: '网络不可用', forbidden: '无权查看此范围', notFound: '未找到', notFoundPage: '页面不存在', signedOut: '登录已过期：请重新登录后再发送' },
  round: { open: '进行中', closed: '已结束', pool: '{k}合1' },
  ov: {
    title: '城市态势', noRound: '暂无筛查轮次', samplesToday: '今日采样', perHour: '近一小时 {n} 份/时', labBacklog: '实验室积压（管）',
    turnaround: '出结果用时 中位 {p50} · P90 {p90}', recallsPending: '待复采', toRecalls: '查看复采名单', positivesToday: '今日确诊阳性',
    positivesRound: '本轮累计 {n}', projected: '预计完成', remaining: '尚余 {n} 人', byPlace: '{place} 各区域覆盖率', drill: '逐级查看 ›',
    hourly: '每小时采样量（近24小时）', hourlyHidden: '本轮范围超出您的辖区，不显示全轮数据', samples: '采样', updated: '更新于 {at}',
  },
  cov: { place: '区域', expected: '应检', sampled: '已采', missing: '未采', coverage: '覆盖率', poolPositive: '混管阳性', positive: '阳性', noChildren: '无下级区域' },
  scr: { title: '筛查进度' },
  roll: {
    title: '应检尽检 · 未采样名单', count: '共 {n} 人', exportCsv: '导出 CSV', exportXlsx: '导出 Excel', print: '打印', exporting: '正在导出… 已取 {n} 条',
    building: '楼栋', household: '户', name: '姓名', person: '居民编号', record: '档案', none: '本区域人员均已采样',
  },
  rec: {
    title: '复采名单', grid: '网格', status: '状态', all: '全部', sourceTube: '混管', singleTube: '单管', created: '通知时间', none: '没有符合条件的复采',
    count: '{n} 人', state: { pending: '待复采', sampled: '已复采待出结果', negative: '阴性已解除', positive: '阳性' },
  },
  ppl: { title: '居民查询', query: '身份证号或姓名', queryHint: '完整身份证号或姓名片段', search: '查询', idNumber: '证件号码', none: '未找到居民' },
  person: { title: '居民档案', sex: '性别', sexM: '男', sexF: '女', birth: '出生日期', phone: '电话', qr: '个人码二维码' },
  samp: {
    title: '采样', round: '轮次', site: '采样点', pick: '请选择', noRounds: '没有进行中的轮次', scanTube: '扫描试管条码', tubeHint: '试管条码',
    scanPerson: '扫描个人码或输入身份证号', personHint: '个人码（26位）或身份证号', tube: '试管', sealNow: '立即封管', nextTube: '下一支试管',
    badTube: '条码应为1至32位字母、数字或“-”', badPerson: '个人码应为26位，身份证号应为18位', needTube: '请先扫描一支试管',
    tubeFull: '试管 {tube} 已满，请换一支', scanned: '已采 {n}/{k}', full: '试管 {tube} 已满 {k}/{k}，已封管', sealed: '试管 {tube} 已封管',
    sealOffline: '离线时无法封管，恢复网络后再试', queue: '待发送', waiting: '联网后自动发送，刷新页面不会丢失', allSent: '全部已发送',
    lastSync: '上次同步 {at}', sendNow: '立即发送', sending: '发送中…', refused: '被拒绝 {n} 条', dismiss: '清除',
  },
  scan: { add: '添加', camera: '摄像头', closeCamera: '关闭摄像头', noCamera: '无法打开摄像头，请手动输入' },
  lab: {
    title: '实验室', lab: '实验室', receive: '接收试管', receivedOk: '已接收', upload: '上传结果文件', uploadHint: 'CSV 或 Excel（.xlsx），列：{cols}',
    reading: '正在读取文件…', sending: '正在提交 {n}/{of}', uploaded: '{file}：{ok} 行已记录，{bad} 行被拒绝', line: '行', reason: '原因',
    backlog: '待检积压', oldest: '最早接收于 {at}', samples: '样本数', receivedAt: '接收时间', single: '单管',
    badHeader: '表头应为：{cols}', badColumns: '列数为 {n}，应为 5',
  },
  audit: { title: '审计日志', at: '时间', user: '用户', action: '操作', record: '记录', addr: '地址', status: '状态' },
};

export const en = {
  app: { tagline: 'epidemic command', language: 'Language', signOut: 'Sign out', offline: 'Offline', more: 'Load more', apply: 'Apply', home: 'Home' },
  nav: { overview: 'Overview', people: 'Residents', sampler: 'Sampling', lab: 'Lab', audit: 'Audit log' },
  role: { admin: 'Admin', commander: 'Commander', staff: 'Staff', grid_worker: 'Grid worker', sampler: 'Sampler', lab: 'Lab', operator: 'Hotline operator', auditor: 'Auditor' },
  level: { city: 'City', district: 'District', street: 'Street/town', community: 'Community/village', grid: 'Grid', compound: 'Compound', building: 'Building', household: 'Household' },
  signin: { title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', wrong: 'Wrong username or password', throttled: 'Too many failed attempts; try again later', expired: 'Your session expired; please sign in again' },
  err: { network: 'The network is unavailable', forbidden: 'This is outside your jurisdiction', notFound: 'Not found', notFoundPage: 'No such page', signedOut: 'Your session expired: sign in again to send' },
  round: { open: 'open', closed: 'closed', pool: '{k}-in-1' },
  ov: {
    title: 'City overview', noRound: 'No screening round yet', samplesToday: 'Samples today', perHour: '{n}/h in the last hour', labBacklog: 'Lab backlog (tubes)',
    turnaround: 'Turnaround median {p50} · p90 {p90}', recallsPending: 'Recalls pending', toRecalls: 'Recall list', positivesToday: 'Confirmed positives today',
    positivesRound: '{n} in this round', projected: 'Projected completion', remaining: '{n} people left', byPlace: 'Coverage across {place}', drill: 'Drill down ›',
    hourly: 'Samples per hour (last 24 hours)', hourlyHidden: 'The round reaches beyond your jurisdiction: its totals are not shown', samples: 'Samples', updated: 'Updated {at}',
  },
  cov: { place: 'Place', expected: 'Expected', sampled: 'Sampled', missing: 'Missing', coverage: 'Coverage', poolPositive: 'Pool-positive', positive: 'Positive', noChildren: 'No places below' },
  scr: { title: 'Screening progress' },
  roll: {
    title: 'Roll-call: not yet sampled', count: '{n} people', exportCsv: 'Export CSV', exportXlsx: 'Export Excel', print: 'Print', exporting: 'Exporting… {n} rows so far',
    building: 'Building', household: 'Household', name: 'Name', person: 'Resident id', record: 'Record', none: 'Everyone here has been sampled',
  },
  rec: {
    title: 'Recalls', grid: 'Grid', status: 'Status', all: 'All', sourceTube: 'Pooled tube', singleTube: 'Single tube', created: 'Recalled at', none: 'No recall matches',
    count: '{n} people', state: { pending: 'Pending re-swab', sampled: 'Re-swabbed, awaiting result', negative: 'Negative, cleared', positive: 'Positive' },
  },
  ppl: { title: 'Find a resident', query: 'ID number or name', queryHint: 'A full ID number or part of a name', search: 'Search', idNumber: 'ID number', none: 'Nobody found' },
  person: { title: 'Resident record', sex: 'Sex', sexM: 'Male', sexF: 'Female', birth: 'Date of birth', phone: 'Phone', qr: 'Personal code QR' },
  samp: {
    title: 'Sampling', round: 'Round', site: 'Site', pick: 'Choose…', noRounds: 'No open round', scanTube: 'Scan a tube barcode', tubeHint: 'Tube barcode',
    scanPerson: 'Scan a personal code or type an ID number', personHint: 'Personal code (26) or ID number (18)', tube: 'Tube', sealNow: 'Seal now', nextTube: 'Next tube',
    badTube: 'A barcode is 1 to 32 letters, digits or "-"', badPerson: 'A personal code has 26 characters, an ID number 18', needTube: 'Scan a tube first',
    tubeFull: 'Tube {tube} is full: take another', scanned: 'Sampled {n}/{k}', full: 'Tube {tube} is full {k}/{k} and sealed', sealed: 'Tube {tube} sealed',
    sealOffline: 'A tube cannot be sealed offline; try again when the network is back', queue: 'Waiting to send', waiting: 'Sent automatically when online; a reload loses nothing', allSent: 'Everything sent',
    lastSync: 'last sync {at}', sendNow: 'Send now', sending: 'Sending…', refused: '{n} refused', dismiss: 'Dismiss',
  },
  scan: { add: 'Add', camera: 'Camera', closeCamera: 'Close camera', noCamera: 'The camera cannot be opened; type the code instead' },
  lab: {
    title: 'Lab', lab: 'Lab', receive: 'Receive tubes', receivedOk: 'received', upload: 'Upload results', uploadHint: 'CSV or Excel (.xlsx), columns: {cols}',
    reading: 'Reading the file…', sending: 'Sending {n}/{of}', uploaded: '{file}: {ok} rows recorded, {bad} refused', line: 'Line', reason: 'Reason',
    backlog: 'Backlog', oldest: 'oldest received {at}', samples: 'Samples', receivedAt: 'Received', single: 'single',
    badHeader: 'the header must be: {cols}', badColumns: '{n} columns where 5 are expected',
  },
  audit: { title: 'Audit log', at: 'Time', user: 'User', action: 'Action', record: 'Record', addr: 'Address', status: 'Status' },
};

export const messages = { 'zh-CN': zh, en };
